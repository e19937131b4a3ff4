"""Quotes and invoices (with lines, office payments and balance) pushed by the CRM.

A quote the customer has approved or declined is settled: the CRM may send it again
unchanged, but a different body gets 409 (send a new quote instead). An invoice's balance is
its total less every succeeded payment, those taken in the portal included, so a CRM push
never undoes a customer's payment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Invoice, InvoiceLine, Payment, Quote, QuoteLine
from server.domain.changes import record_change
from server.domain.errors import Conflict, Invalid
from server.domain.records.customers import Upserted
from server.domain.records.lookup import (
    assign,
    by_external_id,
    existing,
    referenced_customer_id,
    referenced_job,
)
from server.wire.records import InvoiceIn, LineIn, QuoteIn

OFFICE = "office"
LineKey = tuple[str, int, int, int | None]


def _line_keys(lines: list[LineIn]) -> list[LineKey]:
    return [(x.description, x.quantity, x.unit_price_cents, x.unit_cost_cents) for x in lines]


def _stored_keys(rows: list[QuoteLine] | list[InvoiceLine]) -> list[LineKey]:
    return [(x.description, x.quantity, x.unit_price_cents, x.unit_cost_cents) for x in rows]


def _total(keys: list[LineKey]) -> int:
    return sum(qty * price for _, qty, price, _ in keys)


def _differs(obj: Any, values: dict[str, Any]) -> bool:
    return any(getattr(obj, k) != v for k, v in values.items())


def upsert_quote(session: Session, workspace_id: int, external_id: str, body: QuoteIn) -> Upserted:
    """Create or update a quote and its lines."""
    customer_id = referenced_customer_id(session, workspace_id, body.customer_external_id)
    job_id = referenced_job(session, workspace_id, customer_id, body.job_external_id)
    keys = _line_keys(body.lines)
    quote = by_external_id(session, Quote, workspace_id, external_id, lock=True)
    created = quote is None
    if quote is None:
        quote = Quote(
            workspace_id=workspace_id,
            customer_id=customer_id,
            external_id=external_id,
            number=body.number,
            title=body.title,
            issued_at=body.issued_at or utcnow(),
        )
        session.add(quote)
        session.flush()
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "job_id": job_id,
        "number": body.number,
        "title": body.title,
        "currency": body.currency,
        "notes": body.notes or None,
        "expires_at": body.expires_at,
        "total_cents": _total(keys),
    }
    if body.issued_at is not None:
        values["issued_at"] = body.issued_at
    stored = list(
        session.scalars(
            select(QuoteLine).where(QuoteLine.quote_id == quote.id).order_by(QuoteLine.position)
        )
    )
    lines_differ = _stored_keys(stored) != keys
    if quote.status in ("approved", "declined"):
        if lines_differ or _differs(quote, values):
            raise Conflict(
                f"Quote {quote.number} was already {quote.status} by the customer and cannot "
                "be changed. Send a new quote instead."
            )
        return Upserted("quote", external_id, quote.id, False, False)
    values["status"] = body.status
    changed = assign(quote, values)
    if lines_differ:
        session.execute(delete(QuoteLine).where(QuoteLine.quote_id == quote.id))
        for pos, (desc, qty, price, cost) in enumerate(keys):
            session.add(
                QuoteLine(
                    quote_id=quote.id,
                    position=pos,
                    description=desc,
                    quantity=qty,
                    unit_price_cents=price,
                    unit_cost_cents=cost,
                    total_cents=qty * price,
                )
            )
        changed = True
    if not (created or changed):
        return Upserted("quote", external_id, quote.id, False, False)
    quote.updated_at = utcnow()
    session.flush()
    record_change(session, workspace_id, "quote", quote.id, "upsert")
    return Upserted("quote", external_id, quote.id, created, True)


def delete_quote(session: Session, workspace_id: int, external_id: str) -> None:
    """Delete a quote and its lines."""
    quote = existing(session, Quote, workspace_id, external_id, "quote")
    session.delete(quote)
    session.flush()
    record_change(session, workspace_id, "quote", quote.id, "delete")


def _sync_office_payments(
    session: Session, workspace_id: int, invoice: Invoice, body: InvoiceIn
) -> bool:
    """Make the invoice's office payments equal the list; portal payments are never touched."""
    prefix = f"{workspace_id}:"
    stored: dict[str | None, Payment] = {
        p.provider_ref: p
        for p in session.scalars(
            select(Payment).where(Payment.invoice_id == invoice.id, Payment.provider == OFFICE)
        )
    }
    changed = False
    wanted: set[str] = set()
    for i, item in enumerate(body.office_payments):
        ref = prefix + item.reference
        if ref in wanted:
            msg = f"Payment reference '{item.reference}' appears twice."
            raise Invalid(msg, errors={f"office_payments.{i}.reference": msg})
        wanted.add(ref)
        values = {
            "amount_cents": item.amount_cents,
            "currency": body.currency,
            "method": item.method,
            "paid_at": item.paid_at,
        }
        payment = stored.get(ref)
        if payment is None:
            clash = session.scalar(
                select(Payment.id).where(Payment.provider == OFFICE, Payment.provider_ref == ref)
            )
            if clash is not None:
                msg = f"Payment reference '{item.reference}' belongs to another invoice."
                raise Invalid(msg, errors={f"office_payments.{i}.reference": msg})
            payment = Payment(
                workspace_id=workspace_id,
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                provider=OFFICE,
                provider_ref=ref,
                status="succeeded",
                **values,
            )
            session.add(payment)
            session.flush()
            record_change(session, workspace_id, "payment", payment.id, "upsert")
            changed = True
        elif assign(payment, {**values, "customer_id": invoice.customer_id}):
            record_change(session, workspace_id, "payment", payment.id, "upsert")
            changed = True
    for old_ref, payment in stored.items():
        if old_ref not in wanted:
            record_change(session, workspace_id, "payment", payment.id, "delete")
            session.delete(payment)
            changed = True
    session.flush()
    return changed


def upsert_invoice(
    session: Session, workspace_id: int, external_id: str, body: InvoiceIn
) -> Upserted:
    """Create or update an invoice, its lines and office payments; recompute the balance."""
    customer_id = referenced_customer_id(session, workspace_id, body.customer_external_id)
    job_id = referenced_job(session, workspace_id, customer_id, body.job_external_id)
    keys = _line_keys(body.lines)
    invoice = by_external_id(session, Invoice, workspace_id, external_id, lock=True)
    created = invoice is None
    if invoice is None:
        invoice = Invoice(
            workspace_id=workspace_id,
            customer_id=customer_id,
            external_id=external_id,
            number=body.number,
            issued_at=body.issued_at or utcnow(),
        )
        session.add(invoice)
        session.flush()
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "job_id": job_id,
        "number": body.number,
        "currency": body.currency,
        "due_at": body.due_at,
        "total_cents": _total(keys),
    }
    if body.issued_at is not None:
        values["issued_at"] = body.issued_at
    changed = assign(invoice, values)
    stored = list(
        session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice.id)
            .order_by(InvoiceLine.position)
        )
    )
    if _stored_keys(stored) != keys:
        session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id))
        for pos, (desc, qty, price, cost) in enumerate(keys):
            session.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    position=pos,
                    description=desc,
                    quantity=qty,
                    unit_price_cents=price,
                    unit_cost_cents=cost,
                    total_cents=qty * price,
                )
            )
        changed = True
    changed |= _sync_office_payments(session, workspace_id, invoice, body)
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.invoice_id == invoice.id, Payment.status == "succeeded"
        )
    )
    balance = invoice.total_cents - int(paid or 0)
    status = (
        "void"
        if body.status == "void"
        else ("paid" if balance <= 0 < invoice.total_cents else "open")
    )
    changed |= assign(invoice, {"balance_cents": balance, "status": status})
    if not (created or changed):
        return Upserted("invoice", external_id, invoice.id, False, False)
    if not created:
        invoice.version += 1
    invoice.updated_at = utcnow()
    session.flush()
    record_change(session, workspace_id, "invoice", invoice.id, "upsert")
    return Upserted("invoice", external_id, invoice.id, created, True)


def delete_invoice(session: Session, workspace_id: int, external_id: str) -> None:
    """Delete an invoice with its lines and office payments; refused once paid in the portal."""
    invoice = existing(session, Invoice, workspace_id, external_id, "invoice")
    payments = list(session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)))
    if any(p.provider != OFFICE for p in payments):
        raise Conflict(
            f"Invoice {invoice.number} has payments made in the portal, so it cannot be "
            "deleted. Send it with status 'void' instead."
        )
    for p in payments:
        record_change(session, workspace_id, "payment", p.id, "delete")
    session.delete(invoice)
    session.flush()
    record_change(session, workspace_id, "invoice", invoice.id, "delete")
