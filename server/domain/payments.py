"""Paying an invoice online: open a checkout, then apply its payment exactly once.

Exactly once holds under every race the portal can see: a double click on "Pay" (the same
checkout twice), two tabs (two checkouts of one invoice), and the provider's webhook racing
the customer's return to the success page or being replayed. Three guards, each in the
database so they hold across workers:

1. the checkout moves ``open -> completed`` with a conditional UPDATE, so one transaction wins
   per checkout (the loser finds the winner's payment and reports it);
2. the invoice balance drops with a conditional UPDATE (``status = 'open' AND balance >=
   amount``), so a second checkout of a paid invoice changes nothing;
3. ``payment(provider, provider_ref)`` is unique, as a last line behind the other two.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Checkout, Contact, Invoice, Payment, PortalAccount, Workspace
from server.domain.audit import Actor, record_event
from server.domain.branding import published_branding
from server.domain.changes import record_change
from server.domain.errors import Conflict, NotFound
from server.domain.follow_up_causes import payment_recorded
from server.domain.messages import receipt_message
from server.domain.outbox import queue_email
from server.domain.visibility import published_policy

NOT_FOUND = "We could not find that invoice."
ALREADY_PAID = "This invoice is already paid. Thank you!"


@dataclass(frozen=True)
class Applied:
    """The payment of a checkout, and whether this call recorded it (False: it already was)."""

    payment: Payment
    new: bool


@dataclass(frozen=True)
class ReceiptLinks:
    """Where the receipt email points: the portal's address for this workspace and its logo."""

    portal_url: str
    logo_url: str | None = None


def customer_invoice(
    session: Session, workspace_id: int, customer_id: int, invoice_id: int
) -> Invoice:
    """One of this customer's invoices; another customer's is as missing as a wrong id."""
    invoice = session.scalar(
        select(Invoice).where(
            Invoice.id == invoice_id,
            Invoice.workspace_id == workspace_id,
            Invoice.customer_id == customer_id,
        )
    )
    if invoice is None:
        raise NotFound(NOT_FOUND)
    return invoice


def payable_problem(invoice: Invoice) -> str | None:
    """Why this invoice cannot be paid now, in plain English, or None."""
    if invoice.status == "paid":
        return ALREADY_PAID
    if invoice.status == "void":
        return "This invoice was cancelled, so there is nothing to pay."
    if invoice.balance_cents <= 0:
        return "Nothing is owed on this invoice."
    return None


def open_checkout(
    session: Session, invoice: Invoice, contact_id: int | None, provider: str
) -> Checkout:
    """Start paying the whole balance of an invoice; refuses paid, void and settled ones."""
    problem = payable_problem(invoice)
    if problem:
        raise Conflict(problem)
    checkout = Checkout(
        workspace_id=invoice.workspace_id,
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        contact_id=contact_id,
        token=secrets.token_urlsafe(24),
        provider=provider,
        amount_cents=invoice.balance_cents,
        currency=invoice.currency,
    )
    session.add(checkout)
    session.flush()
    return checkout


def customer_checkout(
    session: Session, workspace_id: int, customer_id: int, token: str
) -> Checkout:
    """A checkout of this customer, by the token in its URL."""
    checkout = session.scalar(
        select(Checkout).where(
            Checkout.token == token,
            Checkout.workspace_id == workspace_id,
            Checkout.customer_id == customer_id,
        )
    )
    if checkout is None:
        raise NotFound("We could not find that payment. Start again from your invoice.")
    return checkout


def _payment_by_ref(session: Session, provider: str, ref: str) -> Payment | None:
    return session.scalar(
        select(Payment).where(Payment.provider == provider, Payment.provider_ref == ref)
    )


def apply_checkout_payment(
    session: Session,
    workspace: Workspace,
    checkout: Checkout,
    *,
    provider_ref: str,
    amount_cents: int,
    actor: Actor,
    links: ReceiptLinks,
    money_taken: bool,
    card: str | None = None,
    test_mode: bool = False,
) -> Applied:
    """Record the payment of a checkout once, lower the invoice balance, queue the receipt.

    ``money_taken`` says whether the provider already charged the card (Stripe): then a
    payment that arrives for an invoice paid meanwhile is kept as ``unapplied`` for the office
    to refund. Without it (the sandbox charges only if this succeeds) that case raises
    Conflict. After Conflict, or when a concurrent duplicate is detected by the unique key,
    the transaction has been rolled back; the caller must not reuse loaded rows as current.
    """
    existing = _payment_by_ref(session, checkout.provider, provider_ref)
    if existing is not None:
        return Applied(existing, False)
    now = utcnow()
    # A checkout closed by a newer one can still have been paid at the provider in the
    # same moment: money taken is always recorded (kept as unapplied if nothing is owed).
    claimable = ("open", "expired") if money_taken else ("open",)
    claimed = session.execute(
        update(Checkout)
        .where(Checkout.id == checkout.id, Checkout.status.in_(claimable))
        .values(status="completed", completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        # Another transaction completed this checkout first; it has committed by now.
        winner = session.scalar(select(Checkout.payment_id).where(Checkout.id == checkout.id))
        payment = session.get(Payment, winner) if winner else None
        if payment is None:
            session.rollback()
            raise Conflict("This payment was already handled. Check your invoice.")
        return Applied(payment, False)
    lowered = session.execute(
        update(Invoice)
        .where(
            Invoice.id == checkout.invoice_id,
            Invoice.workspace_id == workspace.id,
            Invoice.status == "open",
            Invoice.balance_cents >= amount_cents,
        )
        .values(
            balance_cents=Invoice.balance_cents - amount_cents,
            status=case((Invoice.balance_cents - amount_cents <= 0, "paid"), else_="open"),
            version=Invoice.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    applied = lowered.rowcount == 1  # type: ignore[attr-defined]
    if not applied and not money_taken:
        session.rollback()
        raise Conflict(
            "This invoice was already paid, perhaps in another window. Your card was not charged."
        )
    payment = Payment(
        workspace_id=workspace.id,
        invoice_id=checkout.invoice_id,
        customer_id=checkout.customer_id,
        amount_cents=amount_cents,
        currency=checkout.currency,
        method="card",
        provider=checkout.provider,
        provider_ref=provider_ref,
        status="succeeded" if applied else "unapplied",
        paid_by_contact_id=checkout.contact_id,
        paid_at=now,
    )
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        again = _payment_by_ref(session, checkout.provider, provider_ref)
        if again is None:
            raise
        return Applied(again, False)
    payment.receipt_number = f"R-{payment.id:06d}"
    session.execute(
        update(Checkout)
        .where(Checkout.id == checkout.id)
        .values(payment_id=payment.id)
        .execution_options(synchronize_session=False)
    )
    invoice = session.execute(
        select(Invoice)
        .where(Invoice.id == checkout.invoice_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    _record(session, workspace, invoice, payment, actor, applied)
    if applied:
        _queue_receipt(session, workspace, invoice, payment, links, card, test_mode)
    return Applied(payment, True)


def _record(
    session: Session,
    workspace: Workspace,
    invoice: Invoice,
    payment: Payment,
    actor: Actor,
    applied: bool,
) -> None:
    if applied:
        action = "invoice.paid" if invoice.status == "paid" else "invoice.part_paid"
    else:
        # Charged by the provider after the invoice was settled: the office must refund it.
        action = "payment.unapplied"
    record_event(
        session,
        workspace.id,
        actor,
        action,
        customer_id=payment.customer_id,
        contact_id=payment.paid_by_contact_id,
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        payment_id=payment.id,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        provider=payment.provider,
        receipt_number=payment.receipt_number,
    )
    record_change(session, workspace.id, "invoice", invoice.id, "upsert")
    record_change(session, workspace.id, "payment", payment.id, "upsert")
    payment_recorded(session, invoice, payment, applied)


def _queue_receipt(
    session: Session,
    workspace: Workspace,
    invoice: Invoice,
    payment: Payment,
    links: ReceiptLinks,
    card: str | None,
    test_mode: bool,
) -> None:
    contact = (
        session.get(Contact, payment.paid_by_contact_id) if payment.paid_by_contact_id else None
    )
    if contact is None or not contact.email:
        return
    account_id = session.scalar(
        select(PortalAccount.id).where(PortalAccount.contact_id == contact.id)
    )
    # The email says only what the portal would show this customer now.
    policy = published_policy(workspace)
    message = receipt_message(
        published_branding(workspace),
        contact.name,
        invoice_number=invoice.number if policy.shows("invoices", "number") else None,
        receipt_number=payment.receipt_number or "",
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        paid_at=payment.paid_at or utcnow(),
        balance_cents=invoice.balance_cents if policy.shows("invoices", "balance") else None,
        link=f"{links.portal_url}/receipts/{payment.id}",
        show_link=policy.shows("invoices", "payments"),
        card=card,
        test_mode=test_mode,
        logo_url=links.logo_url,
        formats=workspace,
    )
    queue_email(
        session,
        workspace.id,
        "receipt",
        contact.email,
        message,
        account_id=account_id,
        customer_id=payment.customer_id,
    )
