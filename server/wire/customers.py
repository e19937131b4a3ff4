"""Customers, contacts and portal accounts as the staff API and the console's cache see them."""

from __future__ import annotations

from datetime import datetime

from server.wire.base import Page, Response
from server.wire.customer_columns import CUSTOMER_ROW_COLUMNS, columns_of
from server.wire.portal_status import PORTAL_STATUSES, PortalStatus

__all__ = ["PORTAL_STATUSES", "PortalStatus"]  # with the models below, as before


class CustomerRow(Response):
    """One line of the customer list; also the ``data`` of a customer change in the feed.

    ``portal_status``, ``invite_expires_at``, ``locked_until`` and ``last_sign_in_at`` are the
    primary contact's (``not_invited`` when the primary contact has no account, whatever other
    contacts have): everything on the row is about the one person it names.
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


# The console builds its cache from the pydantic-free list of these columns: the two must agree.
if columns_of(CustomerRow) != CUSTOMER_ROW_COLUMNS:
    raise TypeError(
        "CustomerRow and server.wire.customer_columns.CUSTOMER_ROW_COLUMNS disagree: "
        f"{columns_of(CustomerRow)} != {CUSTOMER_ROW_COLUMNS}"
    )


class LastAction(Response):
    """Who did what last to a portal account (staff, the customer or the system)."""

    action: str
    by: str | None
    by_kind: str | None = None
    at: datetime


class InviteState(Response):
    """The newest invite of an account: when it was sent, until when it works, what became of it.

    ``held``: made while the portal is coming soon; it is sent (and starts its 7 days) when the
    portal goes live, so ``expires_at`` means nothing until then.
    """

    id: int
    held: bool = False
    sent_at: datetime
    expires_at: datetime
    expired: bool
    used_at: datetime | None
    revoked_at: datetime | None
    sent_by: str | None
    email_id: int | None
    email_status: str | None


class PortalAccountOut(Response):
    """A contact's portal account as the Access panel shows it.

    ``status`` is the stored state (invited, active, disabled); ``portal_status`` adds what
    time decides (invite_expired, locked), like the customer list.
    """

    id: int
    contact_id: int
    customer_id: int
    email: str
    status: str
    portal_status: PortalStatus
    invite: InviteState | None
    last_sign_in_at: datetime | None
    failed_attempts: int
    locked_until: datetime | None
    locked: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    disabled_by: str | None
    last_action: LastAction | None
    created_at: datetime
    updated_at: datetime


class ContactOut(Response):
    """A contact of a customer; ``email_problem`` says why the email cannot be invited."""

    id: int
    customer_id: int
    external_id: str | None
    name: str
    email: str | None
    phone: str | None
    role: str
    is_primary: bool
    email_problem: str | None
    version: int
    updated_at: datetime
    portal_account: PortalAccountOut | None
    # The contact's own time zone, when set (see ``ContactIn.time_zone``).
    time_zone: str | None = None


class AddressOut(Response):
    """A service address."""

    id: int
    label: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postcode: str
    one_line: str


class CustomerDetail(CustomerRow):
    """``GET /api/v1/customers/{id}``: the list row plus contacts (with accounts) and addresses."""

    notes: str | None
    created_at: datetime
    contacts: list[ContactOut]
    addresses: list[AddressOut]


class CustomerPage(Page[CustomerRow]):
    """One page of the customer list. A search or a status filter counts its matches only up
    to 1,000 (counting every match of a very common word cost more than the page itself):
    ``count_capped`` is true when more match than ``count`` says ("1,000+")."""

    count_capped: bool = False
