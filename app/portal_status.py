"""Portal statuses as the console shows them: codes for fast filtering, labels, time rules.

The rule itself (which stored status and times make which shown status) is the server's,
imported from ``server.wire.portal_status``; this module adds the console's labels and applies
the rule again to cached rows as time passes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from server.wire.portal_status import PORTAL_STATUSES, base_status, shown_status

STATUS_LABELS: dict[str, str] = {
    "not_invited": "Not invited",
    "invited": "Invited",
    "invite_expired": "Invite expired",
    "active": "Active",
    "locked": "Locked",
    "disabled": "Disabled",
}
# Codes in the wire's order; a status the wire gains without a label here fails at import.
STATUS_CODES: dict[str, int] = {s: i for i, s in enumerate(PORTAL_STATUSES)}
STATUS_BY_CODE: tuple[str, ...] = tuple(PORTAL_STATUSES)
if set(STATUS_LABELS) != set(PORTAL_STATUSES):
    raise RuntimeError("app.portal_status labels do not match server.wire's portal statuses")


Moment = datetime | str | None


class StatusRow(Protocol):
    """The fields that decide a row's status at a given moment."""

    @property
    def portal_status(self) -> str: ...
    @property
    def invite_expires_at(self) -> Moment: ...
    @property
    def locked_until(self) -> Moment: ...


def aware(moment: Moment) -> datetime | None:
    """A datetime with a timezone from a datetime or ISO-8601 text (naive taken as UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def effective_status(row: StatusRow, now: datetime) -> str:
    """The status right now: an invite may have expired and a lockout ended since the row came."""
    status = row.portal_status
    if status not in STATUS_CODES:
        return "not_invited"
    return shown_status(
        base_status(status), aware(row.locked_until), aware(row.invite_expires_at), now
    )
