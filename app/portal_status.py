"""Portal statuses as the console shows them: codes for fast filtering, labels, time rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

STATUS_LABELS: dict[str, str] = {
    "not_invited": "Not invited",
    "invited": "Invited",
    "invite_expired": "Invite expired",
    "active": "Active",
    "locked": "Locked",
    "disabled": "Disabled",
}
STATUS_CODES: dict[str, int] = {s: i for i, s in enumerate(STATUS_LABELS)}
STATUS_BY_CODE: tuple[str, ...] = tuple(STATUS_LABELS)


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
    if status in ("invited", "invite_expired"):
        expires = aware(row.invite_expires_at)
        return "invited" if expires is not None and expires > now else "invite_expired"
    if status in ("active", "locked"):
        until = aware(row.locked_until)
        return "locked" if until is not None and until > now else "active"
    return status if status in STATUS_CODES else "not_invited"
