"""Demo data from the command line: ``seed-demo`` and the seeded ``local`` workspace."""

from __future__ import annotations

import argparse
import secrets

from server.cli.database import open_session
from server.cli.options import fail, settings_from
from server.cli.serve import WORKER_START_TIMEOUT, cmd_serve, public_base_url_for


def cmd_seed_demo(args: argparse.Namespace) -> int:
    """``portal-server seed-demo``: fill a workspace with believable demo data."""
    from sqlalchemy import func, select

    from server.db.models import Customer, Workspace
    from server.demo.seed import seed_demo
    from server.domain.errors import DomainError

    settings = settings_from(args)
    with open_session(settings) as session:
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
            return fail(exc.detail)
    print(report)
    return 0


def cmd_local(args: argparse.Namespace) -> int:
    """Seed the local demo workspace on first run, print a sign-in, then serve it."""
    from sqlalchemy import select

    from server.db.models import StaffUser, Workspace
    from server.demo.seed import seed_demo
    from server.domain.local_formats import machine_time_zone
    from server.domain.secrets import hash_password
    from server.wire.auth import LOCAL_OWNER_EMAIL

    settings = settings_from(args)
    try:
        base, _ = public_base_url_for(settings, args.host, args.port, args.public_base_url)
    except ValueError as exc:
        return fail(str(exc))
    with open_session(settings) as session:
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
