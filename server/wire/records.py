"""The CRM records API: upsert bodies keyed by external id, results, and the activity read-back.

Every record is addressed by the CRM's own id (``external_id``) and references other records
by theirs (``customer_external_id``, ``job_external_id``), never by the portal's numeric ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictBool

from server.wire.base import Request, Response, TimeZoneName

# Letters, digits and . _ : @ - (no slash, so an id is always one path segment).
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$"
ExternalId = Annotated[str, Field(pattern=EXTERNAL_ID_PATTERN, max_length=100)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Cents = Annotated[int, Field(strict=True, ge=0, le=10**11)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class AddressIn(Request):
    """A service address; the list on a customer replaces the stored list, in order."""

    label: Annotated[str, Field(min_length=1, max_length=60)] = "Home"
    line1: ShortText
    line2: Annotated[str | None, Field(max_length=200)] = None
    city: Annotated[str, Field(min_length=1, max_length=100)]
    region: Annotated[str | None, Field(max_length=100)] = None
    postcode: Annotated[str, Field(min_length=1, max_length=20)]


class CustomerIn(Request):
    """A customer (household or company) with its service addresses."""

    name: ShortText
    kind: Literal["household", "company"] = "household"
    phone: Annotated[str | None, Field(max_length=40)] = None
    notes: Annotated[str | None, Field(max_length=10_000)] = None
    addresses: Annotated[list[AddressIn], Field(max_length=50)] = []


class ContactIn(Request):
    """A person at a customer. ``email`` is stored as given; hygiene reports flag bad ones."""

    customer_external_id: ExternalId
    name: ShortText
    email: Annotated[str | None, Field(max_length=320)] = None
    phone: Annotated[str | None, Field(max_length=40)] = None
    role: Annotated[str, Field(min_length=1, max_length=40)] = "primary"
    is_primary: StrictBool = False
    # The contact's own IANA zone when it is not the business's (left out: kept as it is).
    # Portal times shown to them then name the business's zone.
    time_zone: TimeZoneName = None


class JobIn(Request):
    """A job; ``address_index`` picks one of the customer's addresses (0 is the first)."""

    customer_external_id: ExternalId
    number: Annotated[str, Field(min_length=1, max_length=40)]
    title: ShortText
    description: Annotated[str | None, Field(max_length=10_000)] = None
    internal_status: Annotated[str, Field(min_length=1, max_length=40)]
    address_index: Annotated[int | None, Field(strict=True, ge=0, le=49)] = None
    technician_name: Annotated[str | None, Field(max_length=200)] = None
    internal_notes: Annotated[str | None, Field(max_length=10_000)] = None
    scheduled_start: AwareDatetime | None = None
    scheduled_end: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None


class LineIn(Request):
    """A quote or invoice line; its total is quantity times unit price."""

    description: Annotated[str, Field(min_length=1, max_length=500)]
    quantity: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] = 1
    unit_price_cents: Cents
    unit_cost_cents: Cents | None = None


class QuoteIn(Request):
    """A quote. The CRM may set ``pending`` or ``expired``; only customers approve or decline."""

    customer_external_id: ExternalId
    job_external_id: ExternalId | None = None
    number: Annotated[str, Field(min_length=1, max_length=40)]
    title: ShortText
    status: Literal["pending", "expired"] = "pending"
    currency: Currency = "USD"
    notes: Annotated[str | None, Field(max_length=10_000)] = None
    issued_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    lines: Annotated[list[LineIn], Field(max_length=500)] = []


class OfficePaymentIn(Request):
    """A payment the office took outside the portal (cash, cheque, card on site)."""

    reference: ExternalId
    amount_cents: Annotated[int, Field(strict=True, gt=0, le=10**11)]
    method: Annotated[str, Field(min_length=1, max_length=40)] = "card"
    paid_at: AwareDatetime


class InvoiceIn(Request):
    """An invoice; the balance is the total less every payment (office and portal)."""

    customer_external_id: ExternalId
    job_external_id: ExternalId | None = None
    number: Annotated[str, Field(min_length=1, max_length=40)]
    status: Literal["open", "void"] = "open"
    currency: Currency = "USD"
    issued_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    lines: Annotated[list[LineIn], Field(max_length=500)] = []
    office_payments: Annotated[list[OfficePaymentIn], Field(max_length=500)] = []


class BatchCustomer(CustomerIn):
    """A customer in a batch, with its external id."""

    external_id: ExternalId


class BatchContact(ContactIn):
    """A contact in a batch, with its external id."""

    external_id: ExternalId


class BatchJob(JobIn):
    """A job in a batch, with its external id."""

    external_id: ExternalId


class BatchQuote(QuoteIn):
    """A quote in a batch, with its external id."""

    external_id: ExternalId


class BatchInvoice(InvoiceIn):
    """An invoice in a batch, with its external id."""

    external_id: ExternalId


class RecordsBatch(Request):
    """Many upserts in one transaction, applied in this order; all or nothing (5,000 at most)."""

    customers: list[BatchCustomer] = []
    contacts: list[BatchContact] = []
    jobs: list[BatchJob] = []
    quotes: list[BatchQuote] = []
    invoices: list[BatchInvoice] = []


class RecordResult(Response):
    """What an upsert did: ``created`` for a new record, ``changed`` when anything was written."""

    entity: str
    external_id: str
    id: int
    created: bool
    changed: bool


class BatchResult(Response):
    """Every record of a batch, in the order applied."""

    data: list[RecordResult]
    count: int
    changed: int


ActivityKind = Literal["quote_approved", "quote_declined", "payment", "service_request"]


class ActivityItem(Response):
    """Something a customer did in the portal that the CRM should follow up.

    ``record_external_id`` is the quote's or invoice's external id (None for a service
    request, which the portal creates). Delivery is at least once: key on ``kind`` and
    ``record_id``.
    """

    seq: int
    kind: ActivityKind
    at: datetime | None
    customer_id: int
    customer_external_id: str | None
    contact_id: int | None
    contact_external_id: str | None
    contact_name: str | None
    record_id: int
    record_external_id: str | None
    typed_name: str | None = None
    ip: str | None = None
    reason: str | None = None
    amount_cents: int | None = None
    currency: str | None = None
    receipt_number: str | None = None
    method: str | None = None
    description: str | None = None
    preferred_times: str | None = None
    # A service request's status (requested | needs_info | accepted | declined), the
    # office's question and the customer's answer, the reason it was declined, and the
    # portal job it made. Each decision is a new item of the same request.
    status: str | None = None
    question: str | None = None
    answer: str | None = None
    decline_reason: str | None = None
    job_id: int | None = None


class ActivityPage(Response):
    """A page of customer activity; pass ``next_cursor`` back as ``since``."""

    data: list[ActivityItem]
    count: int
    next_cursor: str
    has_more: bool


class DocumentForm(Request):
    """The form fields sent with a document file (multipart, the file in the ``file`` part)."""

    customer_external_id: ExternalId
    job_external_id: ExternalId | None = None
    title: ShortText


class PhotoForm(Request):
    """The form fields sent with a photo (multipart, the image in the ``file`` part)."""

    customer_external_id: ExternalId
    job_external_id: ExternalId | None = None
    caption: Annotated[str | None, Field(max_length=300)] = None
    taken_at: AwareDatetime | None = None
