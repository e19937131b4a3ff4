"""Staff accounts from the command line: ``create-staff`` and ``issue-token``."""

from __future__ import annotations

import argparse
import getpass
import sys

from server.cli.database import open_session
from server.cli.options import fail, settings_from

NEW_WORKSPACE_ZONE = (
    "a new workspace needs the business's time zone, because portal pages and emails show "
    "its local time: add --time-zone, e.g. --time-zone America/Los_Angeles."
)


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_staff(args: argparse.Namespace) -> int:
    """``portal-server create-staff``: add a staff member (password read from stdin)."""
    from sqlalchemy import select

    from server.db.models import Workspace
    from server.domain import staff as staff_service
    from server.domain.errors import DomainError
    from server.domain.workspaces import ensure_workspace
    from server.wire.settings import time_zone_problem

    if args.time_zone:
        problem = time_zone_problem(args.time_zone)
        if problem:
            return fail(f"--time-zone {args.time_zone}: {problem}")
    settings = settings_from(args)
    with open_session(settings) as session:
        # Everything that can be refused is refused before the password is asked for.
        if args.workspace:
            existing = session.scalar(select(Workspace).where(Workspace.slug == args.workspace))
            if existing is None and not args.time_zone:
                return fail(NEW_WORKSPACE_ZONE)
            try:
                ws = ensure_workspace(session, args.workspace, args.workspace_name)
            except DomainError as exc:  # a slug that cannot be a portal path
                return fail(f"--workspace {args.workspace}: {exc.detail}")
            if args.time_zone:
                ws.time_zone = args.time_zone
        else:
            spaces = session.scalars(select(Workspace).limit(2)).all()
            if len(spaces) != 1:
                return fail("say which workspace with --workspace SLUG.")
            ws = spaces[0]
        password = _read_password(f"Password for {args.email}: ")
        try:
            user = staff_service.create_staff(
                session, ws, args.email, args.name or "", args.role, password
            )
        except DomainError as exc:
            return fail(exc.detail)
        session.commit()
        print(f"Created {user.role} {user.email} in workspace '{ws.slug}'.")
    return 0


def cmd_issue_token(args: argparse.Namespace) -> int:
    """Print a bearer token for a staff member (needs direct access to the database)."""
    from sqlalchemy import select

    from server.db.models import StaffUser
    from server.domain.staff import issue_token_for

    settings = settings_from(args)
    with open_session(settings) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == args.email.lower()))
        if user is None:
            return fail(f"there is no staff account {args.email}.")
        issued = issue_token_for(session, user, settings.staff_token_hours)
    print(issued.token)
    return 0
