"""The portal-status rule, shared by the server's lists and the console's cached rows.

A stored account status is ``invited``, ``active`` or ``disabled``; lists show two more that
time decides: ``invite_expired`` (the invite's week ran out) and ``locked`` (too many wrong
passwords, until ``locked_until``). The server applies the rule when it answers; the console
applies it again to cached rows as the clock moves on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

PortalStatus = Literal["not_invited", "invited", "invite_expired", "active", "locked", "disabled"]
PORTAL_STATUSES: tuple[str, ...] = get_args(PortalStatus)


def shown_status(
    status: str, locked_until: datetime | None, invite_expires_at: datetime | None, now: datetime
) -> str:
    """The portal status as lists show it: adds ``invite_expired`` and ``locked``."""
    if status == "active" and locked_until and locked_until > now:
        return "locked"
    if status == "invited" and (invite_expires_at is None or invite_expires_at <= now):
        return "invite_expired"
    return status


def base_status(shown: str) -> str:
    """The stored status behind a shown one (what ``shown_status`` started from)."""
    return {"invite_expired": "invited", "locked": "active"}.get(shown, shown)
