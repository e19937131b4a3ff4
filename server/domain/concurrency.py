"""Optimistic concurrency for shared settings: ETags from version numbers and ``If-Match``.

Every shared setting (the workspace, its branding, its visibility policy, its team
permissions) carries a version number; its ETag is that number in quotes. A write names the
version it was based on in ``If-Match``; a stale one is refused so two people editing the
same settings never silently overwrite each other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import Workspace
from server.domain.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    """The strong ETag of a version, e.g. ``"7"``."""
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    # A list of entity tags; weak ones ("W/") are compared by their value, which is what
    # a client that got our ETag back through a proxy would send.
    return [t.strip().removeprefix("W/").strip() for t in header.split(",") if t.strip()]


def check_if_match(if_match: str | None, current: int, what: str) -> None:
    """Refuse a write without ``If-Match`` (428) or based on an older version (412).

    ``*`` is refused too (428): HTTP lets it match any version, but a shared setting may only
    be overwritten by a client that read what it overwrites, so it must name that version.
    """
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"Changing the {what} needs an If-Match header with the ETag you last read, "
            "so that nobody's changes are overwritten by accident."
        )
    tags = _tags(if_match)
    if "*" in tags:
        raise PreconditionRequired(
            f"If-Match: * is not accepted for the {what}. Send the ETag you last read, so "
            "that nobody's changes are overwritten by accident."
        )
    if etag(current) in tags:
        return
    raise PreconditionFailed(
        f"Someone else changed the {what} since you loaded it. "
        "Reload to see their changes, then make yours again."
    )


def lock_workspace(session: Session, ws: Workspace) -> Workspace:
    """Re-read the workspace row under a row lock so that the version check and the write
    are one step (PostgreSQL; SQLite transactions already start with the write lock).

    FOR NO KEY UPDATE, the lock ``record_change`` takes: it never waits on a transaction that
    only inserted rows referencing the workspace (see there)."""
    session.refresh(ws, with_for_update={"key_share": True})
    return ws
