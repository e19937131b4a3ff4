"""``portal-server serve``: the public address customers' links use, then uvicorn."""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

from server.cli.database import check_schema
from server.cli.options import fail, settings_from
from server.settings import WILDCARD_HOSTS, Settings, public_base_url_problem

LOOPBACK_HOSTS = frozenset({"localhost", "::1"})

# uvicorn's own default is 5 s, for a new worker to be serving in a rolling restart (SIGHUP)
# and for a running worker to answer its supervisor's check. A worker imports the server and
# prepares its routes first, which alone takes about 5 s on a busy 2-core machine: with 5 s,
# a rolling restart under load replaced no worker at all (uvicorn logged "not ready in time"
# and kept the old ones), and a worker slow to answer the check was killed mid-request.
WORKER_START_TIMEOUT = 60


def public_base_url_for(
    settings: Settings, host: str, port: int, given: str | None
) -> tuple[str, bool]:
    """The address customers' links are built on, and whether it was derived from the
    listening address. Raises ``ValueError`` with a plain-English reason when there is none.

    Listening on one address, ``http://HOST:PORT`` is where customers reach the server unless
    told otherwise. Listening on every address (``0.0.0.0``, ``::``), the server cannot know
    which name customers use, and a link to ``http://0.0.0.0:8000`` opens nothing: it must be
    told (``--public-base-url`` or ``PORTAL_PUBLIC_BASE_URL``).
    """
    chosen = given or settings.public_base_url
    if chosen:
        problem = public_base_url_problem(chosen)
        if problem:
            raise ValueError(problem)
        return chosen.strip().rstrip("/"), False
    if host in WILDCARD_HOSTS:
        raise ValueError(
            f"listening on every address (--host {host}), the server cannot tell which "
            "address customers use, and every invite and reset link is built on it. Pass "
            "--public-base-url https://portal.example.com (or set PORTAL_PUBLIC_BASE_URL)."
        )
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}", True


def _announce_links(url: str, derived: bool) -> None:
    print(f"Customer links (invites, reset links, receipts) point at {url}", flush=True)
    if derived:
        print(
            "  (derived from --host and --port; pass --public-base-url when customers reach "
            "this server through another address, such as a reverse proxy)",
            flush=True,
        )
    host = urlsplit(url).hostname or ""
    if url.startswith("http://") and host not in LOOPBACK_HOSTS and not host.startswith("127."):
        print(
            "  Warning: plain http beyond this machine sends customers' passwords unencrypted. "
            "Serve https (a reverse proxy) and give its address as --public-base-url.",
            flush=True,
        )
    if os.environ.get("PORTAL_SECRET_KEY"):
        print(
            "  Note: PORTAL_SECRET_KEY is set but no longer used (every token is random and "
            "stored as a digest); remove it.",
            flush=True,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    """``portal-server serve``: run the server (migrates a fresh database)."""
    import uvicorn

    settings = settings_from(args)
    try:
        public_url, derived = public_base_url_for(
            settings, args.host, args.port, getattr(args, "public_base_url", None)
        )
    except ValueError as exc:
        return fail(str(exc))
    problem = check_schema(settings)
    if problem:
        return fail(problem)
    os.environ["PORTAL_DATABASE_URL"] = settings.resolved_database_url
    os.environ["PORTAL_PUBLIC_BASE_URL"] = public_url
    os.environ["PORTAL_WORKERS"] = str(args.workers)
    _announce_links(public_url, derived)
    from server.logs import configure_logging

    configure_logging(settings.log_level)
    if args.workers > 1:
        from server.worker_watch import mark_supervisor

        mark_supervisor()
    uvicorn.run(
        "server.asgi:create_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        timeout_worker_healthcheck=args.worker_start_timeout,
    )
    return 0
