"""Customers, contacts and portal accounts as the staff API and the console's cache see them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from server.wire.base import Response

PortalStatus = Literal["not_invited", "invited", "invite_expired", "active", "locked", "disabled"]
PORTAL_STATUSES: tuple[str, ...] = (
    "not_invited",
    "invited",
    "invite_expired",
    "active",
    "locked",
    "disabled",
)


class CustomerRow(Response):
    """One line of the customer list; also the ``data`` of a customer change in the feed.

    ``portal_status`` summarises the primary contact's account (or, when the primary contact
    has none, the most advanced account of another contact).
    """

    id: int
    external_id: str | None
    name: str
    kind: str
    phone: str | None
    address: str | None
    primary_contact_id: int | None
    primary_contact_name: str | None
    primary_email: str | None
    portal_status: PortalStatus
    invite_expires_at: datetime | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    version: int
    updated_at: datetime
