"""``portal-server``: serve, migrate, create-staff, seed-demo, issue-token, local."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from server.settings import WILDCARD_HOSTS, Settings, public_base_url_problem

LOOPBACK_HOSTS = frozenset({"localhost", "::1"})

# uvicorn's own default is 5 s, for a new worker to be serving in a rolling restart (SIGHUP)
# and for a running worker to answer its supervisor's check. A worker imports the server and
# prepares its routes first, which alone takes about 5 s on a busy 2-core machine: with 5 s,
# a rolling restart under load replaced no worker at all (uvicorn logged "not ready in time"
# and kept the old ones), and a worker slow to answer the check was killed mid-request.
WORKER_START_TIMEOUT = 60


def _add_db_options(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--data-dir", type=Path, help="folder for the SQLite database")
    group.add_argument("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://...")


def _add_public_base_url(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--public-base-url",
        help="address customers use, e.g. https://portal.example.com (every link in an email "
        "is built on it); default http://HOST:PORT, required with --host 0.0.0.0 or ::",
    )


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
        overrides["database_url"] = None
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.database_url is None and settings.data_dir is None:
        settings = Settings(data_dir=default_data_dir())
    if settings.data_dir is not None and settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def default_data_dir() -> Path:
    """Where the local workspace keeps its database when nothing else is said."""
    import platformdirs

    return Path(platformdirs.user_data_dir("toolbag-portal", appauthor=False)) / "local-server"


def _fail(message: str) -> int:
    print(f"portal-server: {message}", file=sys.stderr)
    return 2


def cmd_migrate(args: argparse.Namespace) -> int:
    from server.db import migrate
    from server.db.engine import make_engine

    engine = make_engine(_settings(args).resolved_database_url)
    migrate.upgrade(engine)
    print(f"Database is at migration {migrate.current_revision(engine)}.")
    return 0


def check_schema(settings: Settings) -> str | None:
    """Migrate a fresh database; for an outdated one, say what to run instead of serving."""
    from server.db import migrate
    from server.db.engine import make_engine

    engine = make_engine(settings.resolved_database_url)
    try:
        if migrate.is_empty(engine):
            migrate.upgrade(engine)
            return None
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            return (
                f"the database is at migration {current} but this server needs {head}. "
                "Back it up, then run 'portal-server migrate' with the same database options."
            )
        return None
    finally:
        engine.dispose()


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
    import uvicorn

    settings = _settings(args)
    try:
        public_url, derived = public_base_url_for(
            settings, args.host, args.port, getattr(args, "public_base_url", None)
        )
    except ValueError as exc:
        return _fail(str(exc))
    problem = check_schema(settings)
    if problem:
        return _fail(problem)
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


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _open_session(settings: Settings):  # type: ignore[no-untyped-def]
    from server.db.engine import make_engine, make_sessionmaker

    problem = check_schema(settings)
    if problem:
        raise SystemExit(_fail(problem))
    return make_sessionmaker(make_engine(settings.resolved_database_url))()


NEW_WORKSPACE_ZONE = (
    "a new workspace needs the business's time zone, because portal pages and emails show "
    "its local time: add --time-zone, e.g. --time-zone America/Los_Angeles."
)


def cmd_create_staff(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.db.models import Workspace
    from server.domain import staff as staff_service
    from server.domain.errors import DomainError
    from server.domain.workspaces import ensure_workspace
    from server.wire.settings import time_zone_problem

    if args.time_zone:
        problem = time_zone_problem(args.time_zone)
        if problem:
            return _fail(f"--time-zone {args.time_zone}: {problem}")
    settings = _settings(args)
    with _open_session(settings) as session:
        # Everything that can be refused is refused before the password is asked for.
        if args.workspace:
            existing = session.scalar(select(Workspace).where(Workspace.slug == args.workspace))
            if existing is None and not args.time_zone:
                return _fail(NEW_WORKSPACE_ZONE)
            try:
                ws = ensure_workspace(session, args.workspace, args.workspace_name)
            except DomainError as exc:  # a slug that cannot be a portal path
                return _fail(f"--workspace {args.workspace}: {exc.detail}")
            if args.time_zone:
                ws.time_zone = args.time_zone
        else:
            spaces = session.scalars(select(Workspace).limit(2)).all()
            if len(spaces) != 1:
                return _fail("say which workspace with --workspace SLUG.")
            ws = spaces[0]
        password = _read_password(f"Password for {args.email}: ")
        try:
            user = staff_service.create_staff(
                session, ws, args.email, args.name or "", args.role, password
            )
        except DomainError as exc:
            return _fail(exc.detail)
        session.commit()
        print(f"Created {user.role} {user.email} in workspace '{ws.slug}'.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from server.db.models import Customer, Workspace
    from server.demo.seed import seed_demo
    from server.domain.errors import DomainError

    settings = _settings(args)
    with _open_session(settings) as session:
        if args.if_empty:
            existing = session.scalar(
                select(func.count())
                .select_from(Customer)
                .join(Workspace, Workspace.id == Customer.workspace_id)
                .where(Workspace.slug == args.workspace)
            )
            if existing:
                print(f"Workspace '{args.workspace}' already has {existing:,} customers; kept.")
                return 0
        try:
            report = seed_demo(
                session, slug=args.workspace, customers=args.customers, seed=args.seed
            )
        except DomainError as exc:  # a bad slug or count, or a workspace that has data
            return _fail(exc.detail)
    print(report)
    return 0


def cmd_issue_token(args: argparse.Namespace) -> int:
    """Print a bearer token for a staff member (needs direct access to the database)."""
    from sqlalchemy import select

    from server.db.models import StaffUser
    from server.domain.staff import issue_token_for

    settings = _settings(args)
    with _open_session(settings) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == args.email.lower()))
        if user is None:
            return _fail(f"there is no staff account {args.email}.")
        issued = issue_token_for(session, user, settings.staff_token_hours)
    print(issued.token)
    return 0


def cmd_local(args: argparse.Namespace) -> int:
    """Seed the local demo workspace on first run, print a sign-in, then serve it."""
    from sqlalchemy import select

    from server.db.models import StaffUser, Workspace
    from server.demo.seed import seed_demo
    from server.domain.local_formats import machine_time_zone
    from server.domain.secrets import hash_password
    from server.wire.auth import LOCAL_OWNER_EMAIL

    settings = _settings(args)
    try:
        base, _ = public_base_url_for(settings, args.host, args.port, args.public_base_url)
    except ValueError as exc:
        return _fail(str(exc))
    with _open_session(settings) as session:
        owner = session.scalar(select(StaffUser).where(StaffUser.email == LOCAL_OWNER_EMAIL))
        if owner is None:
            print("First run: seeding the demo workspace...", flush=True)
            print(seed_demo(session, slug="demo", customers=args.customers, seed=1))
            owner = session.scalar(select(StaffUser).where(StaffUser.email == LOCAL_OWNER_EMAIL))
            assert owner is not None
        local_ws = session.get(Workspace, owner.workspace_id)
        if local_ws is not None and local_ws.time_zone is None:
            # A local workspace runs where the business is: start in this machine's zone.
            local_ws.time_zone = machine_time_zone()
        # A fresh password each start: nothing secret is written to a file.
        password = secrets.token_urlsafe(12)
        owner.password_hash = hash_password(password)
        session.commit()
    print(f"\nPortal server: {base}\nCustomer portal: {base}/p/demo/")
    print(f"Staff sign-in: {LOCAL_OWNER_EMAIL} / {password}\n", flush=True)
    args.workers = 1
    args.worker_start_timeout = WORKER_START_TIMEOUT
    args.proxy_headers = False
    args.forwarded_allow_ips = None
    return cmd_serve(args)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="portal-server", description="Toolbag Portal server: staff API and customer portal."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the server (migrates a fresh database)")
    _add_db_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument(
        "--worker-start-timeout",
        type=int,
        default=WORKER_START_TIMEOUT,
        metavar="SECONDS",
        help="with --workers: how long a new worker may take to start serving, and a worker "
        f"to answer its supervisor's check, before it counts as stuck (default "
        f"{WORKER_START_TIMEOUT})",
    )
    p.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* headers")
    p.add_argument("--forwarded-allow-ips", default=None, help="proxies to trust")
    _add_public_base_url(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    _add_db_options(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-staff", help="add a staff member (password read from stdin)")
    _add_db_options(p)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=["owner", "manager", "dispatcher"])
    p.add_argument("--name", help="display name")
    p.add_argument("--workspace", help="workspace slug (created if missing)")
    p.add_argument("--workspace-name", help="name for a workspace created here")
    p.add_argument(
        "--time-zone",
        help="IANA time zone of the business, e.g. America/Los_Angeles (portal times use it); "
        "required when --workspace names a workspace that does not exist yet",
    )
    p.set_defaults(func=cmd_create_staff)

    p = sub.add_parser("seed-demo", help="fill a workspace with believable demo data")
    _add_db_options(p)
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--workspace", default="demo", help="workspace slug")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="succeed without seeding when the workspace already has customers",
    )
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("issue-token", help="print a staff bearer token (local use)")
    _add_db_options(p)
    p.add_argument("--email", required=True)
    p.set_defaults(func=cmd_issue_token)

    p = sub.add_parser("local", help="serve a seeded local demo workspace and print a sign-in")
    _add_db_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--customers", type=int, default=500)
    _add_public_base_url(p)
    p.set_defaults(func=cmd_local)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``portal-server``."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except ValidationError as exc:  # a PORTAL_* environment variable that cannot be used
        first = exc.errors()[0]
        name = "PORTAL_" + "_".join(str(p) for p in first["loc"]).upper()
        return _fail(f"{name}: {str(first['msg']).removeprefix('Value error, ')}")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
