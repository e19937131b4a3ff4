"""The office's follow-up inbox: what customers did that needs someone (``/api/v1/follow-ups``),
and the decisions on service requests (``/api/v1/service-requests``).

Each item also travels on the changes feed as entity ``"follow_up"`` whose ``data`` is a
``FollowUpOut``, so the console keeps its inbox and counts current without polling.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field, StrictBool

from server.wire.base import ErrorBody, Page, Request, Response, RowId
from server.wire.follow_up_kinds import FollowUpKind

FollowUpState = Literal["open", "done"]
# What kind of sign-in trouble a contact ran into.
SignInTrouble = Literal["locked", "expired_invite_clicked", "reset_requested"]
# Where a service request stands: new ones are "requested"; "needs_info" while the office
# waits for the customer's answer to its question.
RequestStatus = Literal["requested", "needs_info", "accepted", "declined"]


class FollowUpDetails(Response):
    """What the customer did, in the fields its kind uses (the rest stay None).

    - quote_approved: ``quote_number``, ``typed_name``, ``amount_cents``, ``currency``
    - quote_declined: ``quote_number``, ``reason``, ``amount_cents``, ``currency``
    - invoice_paid: ``invoice_number``, ``amount_cents``, ``currency``, ``method``,
      ``receipt_number``, ``balance_cents`` (what is still owed after it)
    - service_request: ``description``, ``preferred_times``, ``address``, ``photo_ids``
      (held for review until shared), ``job_number``, and once asked ``question`` /
      ``asked_at``, once answered ``answer`` / ``answered_at``, once declined ``reason``,
      once accepted ``scheduled_start`` / ``scheduled_end`` / ``technician_name``
    - sign_in_trouble: ``trouble``, ``email``, ``locked_until`` (for "locked")
    - refund_needed: ``invoice_number``, ``amount_cents``, ``currency``, ``method``,
      ``receipt_number``, ``reason`` (why it could not be applied)
    - mail_failed: ``to_address``, ``subject``, ``email_kind``, ``error``, ``attempts``
    """

    amount_cents: int | None = None
    currency: str | None = None
    balance_cents: int | None = None
    method: str | None = None
    receipt_number: str | None = None
    typed_name: str | None = None
    reason: str | None = None
    quote_number: str | None = None
    invoice_number: str | None = None
    job_number: str | None = None
    description: str | None = None
    preferred_times: str | None = None
    address: str | None = None
    photo_ids: list[int] = []
    question: str | None = None
    asked_at: datetime | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    technician_name: str | None = None
    trouble: SignInTrouble | None = None
    email: str | None = None
    locked_until: datetime | None = None
    error: str | None = None
    to_address: str | None = None
    subject: str | None = None
    email_kind: str | None = None
    attempts: int | None = None


class FollowUpOut(Response):
    """One item of the inbox (also the ``data`` of a ``"follow_up"`` change).

    ``title`` is one plain line ("Quote Q-1042 approved by Hannah Okafor ($1,240.00)").
    ``customer_deleted`` is true when the customer was deleted after the item was filed: the
    item is kept (with the name it had) so nothing the customer did is lost, but its record
    links lead nowhere. ``version`` is the item's ETag for ``PATCH``.
    """

    id: int
    kind: FollowUpKind
    state: FollowUpState
    happened_at: datetime
    customer_id: int | None
    customer_name: str | None
    customer_deleted: bool = False
    contact_id: int | None
    contact_name: str | None
    title: str
    details: FollowUpDetails
    job_id: int | None = None
    quote_id: int | None = None
    invoice_id: int | None = None
    payment_id: int | None = None
    service_request_id: int | None = None
    outbox_id: int | None = None
    request_status: RequestStatus | None = None
    assignee_id: int | None = None
    assignee_name: str | None = None
    assigned_at: datetime | None = None
    done_note: str | None = None
    done_by_name: str | None = None
    done_at: datetime | None = None
    updated_at: datetime
    version: int


class FollowUpPatch(Request):
    """``PATCH /api/v1/follow-ups/{id}`` with ``If-Match``: assign, mark done, reopen.

    - ``assignee_id``: a staff member's id, or null to unassign. Assigning it to yourself
      while someone else holds it answers 409 naming who, unless ``take_over`` is true (the
      console asks first). Assigning it to someone else is a deliberate hand-over and allowed.
    - ``state``: ``"done"`` needs a ``note`` (what was done), else 422 on ``note``;
      ``"open"`` reopens a done item (its done note is kept in the audit trail).
    Fields left out are unchanged. A stale ``If-Match`` answers 412 with the current item.
    """

    assignee_id: RowId | None = None
    state: FollowUpState | None = None
    note: str | None = Field(default=None, max_length=2000)
    take_over: StrictBool = False


class FollowUpPage(Page[FollowUpOut]):
    """A page of the inbox. ``count`` is how many items match in all, except that a text
    search (``q``) counts at most 1,000: past that ``count`` is 1,000 and ``count_capped`` is
    true ("1,000 or more"), so a very common word costs no more than a rare one."""

    count_capped: bool = False


class FollowUpCounts(Response):
    """``GET /api/v1/follow-ups/counts``: open items per kind (every kind present, 0 when
    none), all open items, open items assigned to the caller and open items nobody holds."""

    open_by_kind: dict[FollowUpKind, int]
    open_total: int
    assigned_to_me: int
    unassigned: int


class FollowUpClash(ErrorBody):
    """The 409 or 412 answer of a ``PATCH``: what clashed, and the item as it now is, so the
    console can say "Sam Carter took this at 10:02" without reading it again."""

    current: FollowUpOut


class ServiceRequestOut(Response):
    """A customer's service request and where it stands (``GET /api/v1/service-requests/{id}``
    and the answer of each decision)."""

    id: int
    status: RequestStatus
    customer_id: int
    contact_id: int | None
    job_id: int | None
    job_number: str | None
    description: str
    preferred_times: str | None
    address: str | None
    photo_ids: list[int]
    question: str | None
    asked_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    decline_reason: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    technician_name: str | None
    created_at: datetime
    decided_at: datetime | None
    follow_up_id: int | None


class AcceptRequest(Request):
    """``POST /api/v1/service-requests/{id}/accept``: schedule the job (it becomes
    "scheduled"); ``note`` is the office's, not shown to the customer."""

    scheduled_start: AwareDatetime
    scheduled_end: AwareDatetime
    technician_name: str | None = Field(default=None, min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class AskRequest(Request):
    """``POST /api/v1/service-requests/{id}/ask``: a question the customer sees on the portal
    (and by email), answered there."""

    question: str = Field(min_length=5, max_length=2000)


class DeclineRequest(Request):
    """``POST /api/v1/service-requests/{id}/decline``: the reason is shown to the customer on
    the portal and by email; the job is closed as declined."""

    reason: str = Field(min_length=5, max_length=2000)
