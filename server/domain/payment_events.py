"""Provider webhooks and return-page confirmations: each paid checkout is applied once."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.models import Checkout, Contact, ProviderEvent, Workspace
from server.domain.audit import SYSTEM, Actor
from server.domain.payments import Applied, ReceiptLinks, apply_checkout_payment
from server.payments.base import PaymentProvider, WebhookEvent

Outcome = Literal["processed", "duplicate", "ignored"]


def payer(session: Session, checkout: Checkout, ip: str | None = None) -> Actor:
    """The contact who started the checkout, as the actor of its payment."""
    contact = session.get(Contact, checkout.contact_id) if checkout.contact_id else None
    if contact is None:
        return SYSTEM
    return Actor("customer", contact.id, contact.name, ip)


def handle_event(
    session: Session,
    workspace: Workspace,
    provider: PaymentProvider,
    event: WebhookEvent,
    links: ReceiptLinks,
) -> Outcome:
    """Process a verified webhook event once; a replay of the same event id changes nothing."""
    seen = session.scalar(
        select(ProviderEvent.id).where(
            ProviderEvent.provider == provider.name, ProviderEvent.event_id == event.id
        )
    )
    if seen is not None:
        return "duplicate"
    session.add(
        ProviderEvent(
            provider=provider.name,
            event_id=event.id,
            event_type=event.type,
            workspace_id=workspace.id,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # The same event is being processed concurrently and committed first.
        session.rollback()
        return "duplicate"
    if not (event.paid and event.session_id):
        return "ignored"
    checkout = session.scalar(
        select(Checkout).where(
            Checkout.provider == provider.name,
            Checkout.provider_session_id == event.session_id,
            Checkout.workspace_id == workspace.id,
        )
    )
    if checkout is None:
        return "ignored"
    apply_checkout_payment(
        session,
        workspace,
        checkout,
        provider_ref=event.session_id,
        amount_cents=event.amount_cents
        if event.amount_cents is not None
        else checkout.amount_cents,
        actor=payer(session, checkout),
        links=links,
        money_taken=True,
        test_mode=provider.test_mode,
    )
    return "processed"


def confirm_with_provider(
    session: Session,
    workspace: Workspace,
    provider: PaymentProvider,
    checkout: Checkout,
    links: ReceiptLinks,
    ip: str | None = None,
) -> Applied | None:
    """On the customer's return, ask the provider and apply the payment if it was made.

    Stripe's own guidance is to fulfil from both the webhook and the return page; whichever
    comes first records the payment and the other finds it.
    """
    if checkout.status != "open" or not checkout.provider_session_id:
        return None
    state = provider.checkout_state(checkout.provider_session_id)
    if not state.paid:
        return None
    return apply_checkout_payment(
        session,
        workspace,
        checkout,
        provider_ref=state.provider_ref,
        amount_cents=state.amount_cents
        if state.amount_cents is not None
        else checkout.amount_cents,
        actor=payer(session, checkout, ip),
        links=links,
        money_taken=True,
        test_mode=provider.test_mode,
    )
