"""Paying an invoice from the portal: starting a checkout and the sandbox's test-card charge.

One service owns each workflow's transaction, as the other customer actions do; the routes
only parse, check the policy and render. Starting a checkout commits before every call to
the provider, so no database lock is held while it answers.

Two tabs cannot charge twice: a new checkout of an invoice closes every older open one, at
the provider too (``expire_checkout``), before the customer is sent to pay. If the provider
says an older one was paid meanwhile, that payment is recorded and no new checkout starts.
If the provider cannot be reached to close one, the new checkout starts anyway and the
unapplied-payment safety net of ``apply_checkout_payment`` keeps a second charge for refund.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.engine import writable
from server.db.models import Checkout, Workspace
from server.domain.audit import Actor, record_event
from server.domain.errors import Conflict
from server.domain.payment_events import confirm_with_provider
from server.domain.payments import (
    ReceiptLinks,
    apply_checkout_payment,
    customer_checkout,
    customer_invoice,
    open_checkout,
    payable_problem,
)
from server.domain.portal_view_models import Scope
from server.payments.base import CheckoutRequest, PaymentProvider, ProviderUnavailable
from server.payments.sandbox import charge_test_card

log = logging.getLogger("server.payments")

PAID_ELSEWHERE = "This invoice was just paid, perhaps in another window. Thank you!"
REPLACED = (
    "This payment page was replaced by a newer one, so it can no longer be used. "
    "Start again from your invoice. You were not charged."
)


@dataclass(frozen=True)
class Payer:
    """Who pays: the signed-in contact, as an audit actor, with the email the provider gets."""

    actor: Actor
    contact_id: int
    email: str | None


def start_checkout(
    db: Session,
    ws: Workspace,
    scope: Scope,
    invoice_id: int,
    payer: Payer,
    provider: PaymentProvider,
    links: ReceiptLinks,
    brand_name: str,
) -> str:
    """Open a checkout for the invoice's balance and return where to send the browser.

    Raises ``Conflict`` when the invoice cannot be paid (or was just paid through an older
    checkout) and ``ProviderUnavailable`` when the provider cannot start one.
    """
    invoice = customer_invoice(db, ws.id, scope.customer_id, invoice_id)
    checkout = open_checkout(db, invoice, payer.contact_id, provider.name)
    older = list(
        db.scalars(
            select(Checkout).where(
                Checkout.invoice_id == invoice.id,
                Checkout.status == "open",
                Checkout.id != checkout.id,
            )
        )
    )
    record_event(
        db,
        ws.id,
        payer.actor,
        "invoice.checkout_started",
        customer_id=scope.customer_id,
        contact_id=payer.contact_id,
        invoice_id=invoice.id,
        amount_cents=checkout.amount_cents,
        provider=provider.name,
        older_checkouts_closed=len(older),
    )
    db.commit()
    for old in older:
        if not _close(db, ws, provider, old, links, payer.actor.ip):
            _mark_expired(db, checkout.id)
            db.commit()
            raise Conflict(PAID_ELSEWHERE)
    number = invoice.number if scope.policy.shows("invoices", "number") else "payment"
    url = links.portal_url
    started = provider.start_checkout(
        CheckoutRequest(
            token=checkout.token,
            amount_cents=checkout.amount_cents,
            currency=checkout.currency,
            description=f"Invoice {number} from {brand_name}",
            customer_email=payer.email,
            checkout_page_url=f"{url}/checkout/{checkout.token}",
            success_url=f"{url}/checkout/{checkout.token}/done",
            cancel_url=f"{url}/checkout/{checkout.token}/cancelled",
            metadata={"portal": ws.slug, "invoice_id": str(invoice.id)},
        )
    )
    checkout.provider_session_id = started.provider_session_id
    db.commit()
    return started.redirect_url


def _mark_expired(db: Session, checkout_id: int) -> None:
    db.execute(
        update(Checkout)
        .where(Checkout.id == checkout_id, Checkout.status == "open")
        .values(status="expired", completed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _close(
    db: Session,
    ws: Workspace,
    provider: PaymentProvider,
    old: Checkout,
    links: ReceiptLinks,
    ip: str | None,
) -> bool:
    """Close an older open checkout; False when the provider says it was paid (then its
    payment is recorded here and the invoice may be settled)."""
    if old.provider == provider.name and old.provider_session_id:
        try:
            closed = provider.expire_checkout(old.provider_session_id)
        except ProviderUnavailable:
            # Both may now be paid; a second charge is kept as unapplied for a refund.
            log.warning("could not expire an older checkout", extra={"checkout_id": old.id})
            return True
        if not closed:
            confirm_with_provider(db, ws, provider, old, links, ip)
            db.commit()
            invoice = customer_invoice(db, ws.id, old.customer_id, old.invoice_id)
            db.refresh(invoice)
            return payable_problem(invoice) is None
    _mark_expired(db, old.id)
    db.commit()
    return True


def confirm_return(
    db: Session,
    workspace_id: int,
    token: str,
    provider: PaymentProvider,
    links: ReceiptLinks,
    ip: str | None,
) -> None:
    """On the customer's return from the provider, record the payment if it was made.

    Stripe's advice is not to wait for the webhook; recording is idempotent. It is the one
    write behind a GET page, so it runs in a short writing transaction of its own, and the
    request's read snapshot ends after it so the page reads what was recorded.
    """
    with writable(db) as w:
        fresh = w.scalar(
            select(Checkout).where(Checkout.token == token, Checkout.workspace_id == workspace_id)
        )
        workspace = w.get(Workspace, workspace_id)
        paid = (
            fresh is not None
            and workspace is not None
            and confirm_with_provider(w, workspace, provider, fresh, links, ip) is not None
        )
        if paid:
            w.commit()
    db.commit()
    db.expire_all()  # rows loaded before are re-read, not served from the identity map


@dataclass(frozen=True)
class CardOutcome:
    """What a test-card charge came to: paid, or the message and field to show."""

    paid: bool
    message: str | None = None
    field: str | None = None
    status: int = 200


def pay_with_test_card(
    db: Session,
    ws: Workspace,
    scope: Scope,
    token: str,
    card: tuple[str, str, str],
    actor: Actor,
    links: ReceiptLinks,
) -> CardOutcome:
    """Charge a sandbox test card for a checkout: an approved card pays the invoice once; a
    real decline is noted for the office; a replaced or settled checkout charges nothing."""
    checkout = customer_checkout(db, ws.id, scope.customer_id, token)
    if checkout.status == "completed":
        return CardOutcome(True)
    if checkout.status != "open":
        raise Conflict(REPLACED)
    invoice = customer_invoice(db, ws.id, scope.customer_id, checkout.invoice_id)
    problem = payable_problem(invoice)
    if problem:
        raise Conflict(f"{problem} Your card was not charged.")
    number, expiry, cvc = card
    result = charge_test_card(number, expiry, cvc, today=utcnow().date())
    if not result.approved:
        if result.last4:  # a real decline (not a typing mistake): the office may want to know
            checkout.last_decline = result.message
            record_event(
                db,
                ws.id,
                actor,
                "payment.declined",
                customer_id=scope.customer_id,
                contact_id=actor.id,
                invoice_id=invoice.id,
                reason=result.message,
                card_last4=result.last4,
            )
            db.commit()
        return CardOutcome(False, result.message, result.field, 402 if result.last4 else 422)
    apply_checkout_payment(
        db,
        ws,
        checkout,
        provider_ref=f"sbx_{checkout.token}",
        amount_cents=checkout.amount_cents,
        actor=actor,
        links=links,
        money_taken=False,
        card=f"{result.brand} ending {result.last4}",
        test_mode=True,
    )
    db.commit()
    return CardOutcome(True)
