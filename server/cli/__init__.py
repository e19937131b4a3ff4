"""``portal-server``: serve, migrate, create-staff, seed-demo, issue-token, local.

This module builds the command line; each command lives in a module named after what it
does (``serve``, ``database``, ``staff``, ``demo``), with the shared options in ``options``.
"""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from server.cli.database import cmd_migrate
from server.cli.demo import cmd_local, cmd_seed_demo
from server.cli.options import add_db_options, add_public_base_url, fail
from server.cli.serve import WORKER_START_TIMEOUT, cmd_serve
from server.cli.staff import cmd_create_staff, cmd_issue_token


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="portal-server", description="Toolbag Portal server: staff API and customer portal."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the server (migrates a fresh database)")
    add_db_options(p)
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
    add_public_base_url(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    add_db_options(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-staff", help="add a staff member (password read from stdin)")
    add_db_options(p)
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
    add_db_options(p)
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
    add_db_options(p)
    p.add_argument("--email", required=True)
    p.set_defaults(func=cmd_issue_token)

    p = sub.add_parser("local", help="serve a seeded local demo workspace and print a sign-in")
    add_db_options(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--customers", type=int, default=500)
    add_public_base_url(p)
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
        return fail(f"{name}: {str(first['msg']).removeprefix('Value error, ')}")
    return result
