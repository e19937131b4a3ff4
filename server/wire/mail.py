"""The mail outbox as staff see it: ``GET /api/v1/outbox``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from server.wire.base import Page, Response

# "cancelled": staff chose not to send it (only pending or failed emails can be cancelled,
# with ``POST /api/v1/outbox/{id}/cancel``).
OutboxStatus = Literal["pending", "sent", "failed", "cancelled"]


class OutboxEmailOut(Response):
    """One email of the outbox. ``link`` is given while it is undelivered, so staff can pass
    an invite on by hand; once sent it is withheld, and a password reset link never shows."""

    id: int
    kind: str
    to_address: str
    subject: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    link: str | None
    customer_id: int | None
    account_id: int | None
    created_at: datetime
    sent_at: datetime | None


OutboxPage = Page[OutboxEmailOut]
