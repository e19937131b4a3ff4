"""Access management: invites, reset links, disabling, bulk invites, email clean-up, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, StrictBool

from server.wire.base import Request, Response, RowId, TimeZoneName
from server.wire.customers import PortalAccountOut, PortalStatus

MAX_BULK = 5000


class ContactPatch(Request):
    """``PATCH /api/v1/contacts/{id}``: only the fields given change; ``email: null`` clears it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    # The contact's own IANA zone; null: the business's (portal times then carry no zone).
    time_zone: TimeZoneName = None


class EmailStatus(Response):
    """A queued email as staff may see it: where it goes and whether it went."""

    id: int
    kind: str
    to_address: str
    status: str
    created_at: datetime
    sent_at: datetime | None


class InviteOut(Response):
    """An invite just sent. ``invite_url`` is shown this once: only its digest is kept.

    ``held``: the portal is coming soon, so the invite waits. It has no link and no email yet
    (``invite_url``, ``expires_at`` and ``email`` are null); going live sends it, and its
    7 days start then.
    """

    contact_id: int
    customer_id: int
    held: bool = False
    invite_url: str | None
    expires_at: datetime | None
    email: EmailStatus | None
    account: PortalAccountOut


class ResetLinkOut(Response):
    """A reset link sent to the customer. The link itself goes only to the customer's inbox:
    staff never set or learn a customer's password, nor hold a way to set it."""

    contact_id: int
    customer_id: int
    expires_at: datetime
    email: EmailStatus
    account: PortalAccountOut


class DisableRequest(Request):
    """Why access is being disabled (kept on the account and in the audit trail)."""

    reason: str = Field(min_length=1, max_length=500)


class BulkSelection(Request):
    """Customers chosen by the list's search and filter; their primary contacts are invited."""

    q: str | None = Field(default=None, max_length=200)
    portal_status: PortalStatus | None = None


class BulkInviteRequest(Request):
    """``POST /api/v1/portal-invites/bulk``: contact ids or a selection, never both.

    ``dry_run`` is required so that nobody sends thousands of emails by leaving it out.
    """

    contact_ids: list[RowId] | None = None
    selection: BulkSelection | None = None
    dry_run: StrictBool


BulkOutcome = Literal[
    "would_invite",
    "invited",
    "no_email",
    "invalid_email",
    "email_shared",
    "email_taken",
    "already_invited",
    "already_active",
    "disabled",
    "not_found",
]


class BulkInviteItem(Response):
    """What happened (or would happen) to one contact."""

    contact_id: int
    customer_id: int | None
    contact_name: str | None
    email: str | None
    outcome: BulkOutcome
    detail: str
    email_id: int | None = None


class BulkInviteResult(Response):
    """Per-contact outcomes and a count per outcome."""

    dry_run: bool
    total: int
    counts: dict[str, int]
    results: list[BulkInviteItem]


class HygieneContact(Response):
    """A contact named in the email clean-up report."""

    contact_id: int
    contact_name: str
    email: str | None
    customer_id: int
    customer_name: str
    has_portal_account: bool


class InvalidEmail(HygieneContact):
    """A contact whose email cannot receive an invite, and why."""

    problem: str


class EmailGroup(Response):
    """One email address held by several contacts."""

    email: str
    customer_count: int
    contacts: list[HygieneContact]


class HygieneSection[T](Response):
    """A capped list: ``count`` is the full number, ``items`` the first ``limit``.

    ``contact_count`` is how many contacts the whole section names: ``count`` for invalid and
    missing emails; for duplicated and shared emails, every contact holding one of them.
    """

    count: int
    contact_count: int
    items: list[T]


class EmailHygieneReport(Response):
    """``GET /api/v1/email-hygiene``: what to clean up before inviting everyone."""

    limit: int
    invalid: HygieneSection[InvalidEmail]
    missing: HygieneSection[HygieneContact]
    duplicated: HygieneSection[EmailGroup]
    shared: HygieneSection[EmailGroup]


class AuditEventOut(Response):
    """One audit event."""

    id: int
    action: str
    customer_id: int | None
    customer_name: str | None
    contact_id: int | None
    actor_kind: str
    actor_id: int | None
    actor_name: str | None
    detail: dict[str, Any]
    created_at: datetime
