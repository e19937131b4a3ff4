"""View models of the portal: only fields the visibility policy lets a customer see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from server.wire.visibility import VisibilityPolicy

MISSING = "We could not find that page."


@dataclass(frozen=True)
class Scope:
    """Whose data a portal page shows, and under which policy."""

    workspace_id: int
    customer_id: int
    policy: VisibilityPolicy


@dataclass(frozen=True)
class LineView:
    """A quote or invoice line; prices only when the policy shows line costs."""

    description: str
    quantity: int
    unit_price: int | None
    total: int | None


@dataclass(frozen=True)
class DocumentView:
    """A shared document as listed."""

    id: int
    label: str
    filename: str | None
    job_label: str | None
    added: datetime


@dataclass(frozen=True)
class PhotoView:
    """A shared photo; the caption only when visible."""

    id: int
    alt: str
    caption: str | None
    taken_at: datetime | None
    job_label: str | None


@dataclass(frozen=True)
class JobView:
    """A job with only its visible fields."""

    id: int
    heading: str
    number: str | None
    title: str | None
    description: str | None
    status: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    address: str | None
    technician: str | None
    notes: str | None
    completed_at: datetime | None
    active: bool
    photos: list[PhotoView] = field(default_factory=list)
    documents: list[DocumentView] = field(default_factory=list)
    # The service request this job came from, and whether it waits for the customer's answer.
    request_id: int | None = None
    request_waiting: bool = False


class JobCard(NamedTuple):
    """A job as listed (home page, jobs page): only what its card shows, each field already
    through the policy. A tuple because a list builds one per job on every view."""

    id: int
    heading: str
    status: str | None
    scheduled_start: datetime | None
    address: str | None
    active: bool


@dataclass(frozen=True)
class QuoteView:
    """A quote: ``state`` is pending, approved, declined or expired."""

    id: int
    heading: str
    number: str | None
    title: str
    state: str
    state_label: str
    notes: str | None
    lines: list[LineView] | None
    total: int | None
    currency: str
    issued_at: datetime
    expires_at: datetime | None
    decided_at: datetime | None
    approved_name: str | None
    declined_reason: str | None
    can_decide: bool


@dataclass(frozen=True)
class PaymentView:
    """A payment shown on an invoice."""

    amount: int
    method: str
    paid_at: datetime | None
    receipt_number: str | None


@dataclass(frozen=True)
class InvoiceView:
    """An invoice: ``state`` is due, overdue, paid or cancelled."""

    id: int
    heading: str
    number: str | None
    state: str
    state_label: str
    lines: list[LineView] | None
    total: int | None
    balance: int | None
    currency: str
    issued_at: datetime
    due_at: datetime | None
    payments: list[PaymentView] | None
    can_pay: bool


@dataclass(frozen=True)
class HomeView:
    """What needs the customer now, and their active jobs."""

    quotes: list[QuoteView]
    invoices: list[InvoiceView]
    jobs: list[JobCard]
    # The first moment the clock alone changes this view: a waiting quote expires or a due
    # invoice falls overdue. None when nothing shown depends on the time.
    turns_at: datetime | None = None
