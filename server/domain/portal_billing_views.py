"""Quotes and invoices as a customer sees them, filtered by the visibility policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Invoice, InvoiceLine, Payment, Quote, QuoteLine
from server.domain.errors import NotFound
from server.domain.portal_view_models import (
    MISSING,
    InvoiceView,
    LineView,
    PaymentView,
    QuoteView,
    Scope,
)
from server.wire.visibility import VisibilityPolicy


class LineFields(Protocol):
    """What a line's view reads: a quote or invoice line object, or a result row of its
    columns."""

    description: str
    quantity: int
    unit_price_cents: int
    total_cents: int


def _lines(
    policy: VisibilityPolicy, section: str, rows: Sequence[LineFields]
) -> list[LineView] | None:
    if not policy.shows(section, "line_items"):
        return None
    costs = policy.shows(section, "line_costs")
    return [
        LineView(
            r.description,
            r.quantity,
            r.unit_price_cents if costs else None,
            r.total_cents if costs else None,
        )
        for r in rows
    ]


class QuoteFields(Protocol):
    """What a quote view reads: a ``Quote`` row object, or a result row of its columns."""

    id: int
    number: str
    title: str
    status: str
    notes: str | None
    total_cents: int
    currency: str
    issued_at: datetime
    expires_at: datetime | None
    decided_at: datetime | None
    approved_name: str | None
    declined_reason: str | None


class InvoiceFields(Protocol):
    """What an invoice view reads: an ``Invoice`` row object, or a result row of its columns."""

    id: int
    number: str
    status: str
    total_cents: int
    balance_cents: int
    currency: str
    issued_at: datetime
    due_at: datetime | None


QUOTE_LABELS = {
    "pending": "Waiting for your answer",
    "approved": "Approved",
    "declined": "Declined",
    "expired": "Expired",
}


def quote_state(quote: QuoteFields, now: datetime | None = None) -> str:
    """pending, approved, declined or expired (a pending quote past its date has expired)."""
    now = now or utcnow()
    if quote.status == "pending" and quote.expires_at is not None and quote.expires_at <= now:
        return "expired"
    return quote.status if quote.status in QUOTE_LABELS else "expired"


def quote_view(
    scope: Scope, quote: QuoteFields, lines: Sequence[LineFields] | None = None
) -> QuoteView:
    """One quote through the policy."""
    p = scope.policy
    state = quote_state(quote)
    number = quote.number if p.shows("quotes", "number") else None
    return QuoteView(
        id=quote.id,
        heading=f"{quote.title} ({number})" if number else quote.title,
        number=number,
        title=quote.title,
        state=state,
        state_label=QUOTE_LABELS[state],
        notes=quote.notes if p.shows("quotes", "notes") else None,
        lines=_lines(p, "quotes", lines) if lines is not None else None,
        total=quote.total_cents if p.shows("quotes", "totals") else None,
        currency=quote.currency,
        issued_at=quote.issued_at,
        expires_at=quote.expires_at if p.shows("quotes", "expires_at") else None,
        decided_at=quote.decided_at,
        approved_name=quote.approved_name if state == "approved" else None,
        declined_reason=quote.declined_reason if state == "declined" else None,
        can_decide=state == "pending" and p.allows("approve_quotes"),
    )


# The lists run on every home page: statements built once, the customer bound per call, and
# run through the session's connection, as rows: a card needs no ORM object, and the ORM's
# own work per statement was half of each short list's time.
_QUOTES = (
    select(Quote)
    .where(
        Quote.workspace_id == bindparam("workspace_id"),
        Quote.customer_id == bindparam("customer_id"),
    )
    .order_by(Quote.issued_at.desc(), Quote.id.desc())
)
# The home page's two lists are prepared on PostgreSQL (planned once per connection): a
# customer's rows are found through its own index whatever the customer, and planning them
# on every miss of the kept home view cost as much of the database's time as running them.
_WAITING_QUOTES = _QUOTES.where(Quote.status == "pending").execution_options(prepared=True)
_INVOICES = (
    select(Invoice)
    .where(
        Invoice.workspace_id == bindparam("workspace_id"),
        Invoice.customer_id == bindparam("customer_id"),
    )
    .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
)
_DUE_INVOICES = _INVOICES.where(
    Invoice.status == "open", Invoice.balance_cents > 0
).execution_options(prepared=True)


def _owner(scope: Scope) -> dict[str, int]:
    return {"workspace_id": scope.workspace_id, "customer_id": scope.customer_id}


def list_quotes(db: Session, scope: Scope, *, waiting_only: bool = False) -> list[QuoteView]:
    """The customer's quotes, newest first (without lines)."""
    return waiting_quotes(db, scope)[0] if waiting_only else _quotes(db, scope, _QUOTES)[0]


def waiting_quotes(db: Session, scope: Scope) -> tuple[list[QuoteView], list[datetime]]:
    """The quotes waiting for the customer's answer, and when each of them expires."""
    views, rows = _quotes(db, scope, _WAITING_QUOTES)
    waiting = [(v, r.expires_at) for v, r in zip(views, rows, strict=True) if v.state == "pending"]
    return [v for v, _ in waiting], [at for _, at in waiting if at is not None]


def _quotes(db: Session, scope: Scope, stmt: Select[Any]) -> tuple[list[QuoteView], list[Any]]:
    if not scope.policy.shows("quotes"):
        return [], []
    rows = list(db.connection().execute(stmt, _owner(scope)))
    return [quote_view(scope, q) for q in rows], rows


# One quote of the customer's, and its lines: read as rows through the session's connection
# (prepared on PostgreSQL), as the lists are.
_QUOTE = (
    select(Quote)
    .where(
        Quote.workspace_id == bindparam("workspace_id"),
        Quote.customer_id == bindparam("customer_id"),
        Quote.id == bindparam("quote_id"),
    )
    .execution_options(prepared=True)
)
_QUOTE_LINES = (
    select(QuoteLine)
    .where(QuoteLine.quote_id == bindparam("quote_id"))
    .order_by(QuoteLine.position, QuoteLine.id)
    .execution_options(prepared=True)
)


def quote_detail(db: Session, scope: Scope, quote_id: int) -> QuoteView:
    """One quote with its lines."""
    if not scope.policy.shows("quotes"):
        raise NotFound(MISSING)
    conn = db.connection()
    quote = conn.execute(_QUOTE, {**_owner(scope), "quote_id": quote_id}).first()
    if quote is None:
        raise NotFound(MISSING)
    lines = list(conn.execute(_QUOTE_LINES, {"quote_id": quote.id}))
    return quote_view(scope, quote, lines)


def invoice_view(
    scope: Scope,
    inv: InvoiceFields,
    lines: list[InvoiceLine] | None = None,
    payments: list[Payment] | None = None,
) -> InvoiceView:
    """One invoice through the policy."""
    p = scope.policy
    now = utcnow()
    if inv.status == "void":
        state = "cancelled"
    elif inv.status == "paid" or inv.balance_cents <= 0:
        state = "paid"
    else:
        state = "overdue" if inv.due_at and inv.due_at < now else "due"
    labels = {"cancelled": "Cancelled", "paid": "Paid", "overdue": "Overdue", "due": "Due"}
    number = inv.number if p.shows("invoices", "number") else None
    shown_payments = None
    if payments is not None and p.shows("invoices", "payments"):
        shown_payments = [
            PaymentView(x.amount_cents, x.method, x.paid_at, x.receipt_number) for x in payments
        ]
    return InvoiceView(
        id=inv.id,
        heading=f"Invoice {number}" if number else "Invoice",
        number=number,
        state=state,
        state_label=labels[state],
        lines=_lines(p, "invoices", lines) if lines is not None else None,
        total=inv.total_cents if p.shows("invoices", "totals") else None,
        balance=inv.balance_cents if p.shows("invoices", "balance") else None,
        currency=inv.currency,
        issued_at=inv.issued_at,
        due_at=inv.due_at if p.shows("invoices", "due_at") else None,
        payments=shown_payments,
        can_pay=state in ("due", "overdue") and p.allows("pay_invoices"),
    )


def _invoice_query(scope: Scope):  # type: ignore[no-untyped-def]
    return select(Invoice).where(
        Invoice.workspace_id == scope.workspace_id, Invoice.customer_id == scope.customer_id
    )


def list_invoices(db: Session, scope: Scope, *, due_only: bool = False) -> list[InvoiceView]:
    """The customer's invoices, newest first (without lines)."""
    return due_invoices(db, scope)[0] if due_only else _invoices(db, scope, _INVOICES)[0]


def due_invoices(db: Session, scope: Scope) -> tuple[list[InvoiceView], list[datetime]]:
    """The invoices with a balance to pay, and when the ones not yet overdue fall due."""
    views, rows = _invoices(db, scope, _DUE_INVOICES)
    return views, [r.due_at for r in rows if r.due_at is not None]


def _invoices(db: Session, scope: Scope, stmt: Select[Any]) -> tuple[list[InvoiceView], list[Any]]:
    if not scope.policy.shows("invoices"):
        return [], []
    rows = list(db.connection().execute(stmt, _owner(scope)))
    return [invoice_view(scope, inv) for inv in rows], rows


def invoice_detail(db: Session, scope: Scope, invoice_id: int) -> InvoiceView:
    """One invoice with its lines and payments."""
    if not scope.policy.shows("invoices"):
        raise NotFound(MISSING)
    inv = db.scalar(_invoice_query(scope).where(Invoice.id == invoice_id))
    if inv is None:
        raise NotFound(MISSING)
    lines = list(
        db.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == inv.id)
            .order_by(InvoiceLine.position, InvoiceLine.id)
        )
    )
    payments = list(
        db.scalars(
            select(Payment)
            .where(Payment.invoice_id == inv.id, Payment.status == "succeeded")
            .order_by(Payment.id)
        )
    )
    return invoice_view(scope, inv, lines, payments)
