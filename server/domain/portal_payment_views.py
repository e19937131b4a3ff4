"""The payment pages' data, filtered by the visibility policy before any template sees it.

The pay, card, return and receipt pages render these views, never invoice, checkout or
payment rows, so a field the policy hides cannot reach the browser by a template's slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Checkout, Invoice, Payment
from server.domain.errors import NotFound
from server.domain.payments import customer_checkout, customer_invoice, payable_problem
from server.domain.portal_billing_views import invoice_view
from server.domain.portal_view_models import MISSING, InvoiceView, Scope

NO_RECEIPT = "We could not find that receipt."


@dataclass(frozen=True)
class PayView:
    """An invoice as the pay pages show it, and why it cannot be paid now (or None)."""

    invoice: InvoiceView
    problem: str | None


@dataclass(frozen=True)
class CheckoutView:
    """One payment attempt: its link token, amount and state (open, completed, expired)."""

    token: str
    invoice_id: int
    amount: int
    currency: str
    status: str
    provider: str
    test_mode: bool


@dataclass(frozen=True)
class ReceiptView:
    """A payment as its receipt shows it."""

    id: int
    receipt_number: str | None
    amount: int
    currency: str
    paid_at: datetime | None
    applied: bool
    test_mode: bool


def _invoice(db: Session, scope: Scope, invoice_id: int) -> Invoice:
    if not scope.policy.shows("invoices"):
        raise NotFound(MISSING)
    return customer_invoice(db, scope.workspace_id, scope.customer_id, invoice_id)


def pay_view(db: Session, scope: Scope, invoice_id: int) -> PayView:
    """One of the customer's invoices for the pay pages (404 when invoices are hidden)."""
    invoice = _invoice(db, scope, invoice_id)
    return PayView(invoice_view(scope, invoice), payable_problem(invoice))


def checkout_view(checkout: Checkout) -> CheckoutView:
    """A checkout row as the pages may show it."""
    return CheckoutView(
        checkout.token,
        checkout.invoice_id,
        checkout.amount_cents,
        checkout.currency,
        checkout.status,
        checkout.provider,
        checkout.provider == "sandbox",
    )


def receipt_view(payment: Payment) -> ReceiptView:
    """A payment row as a receipt may show it."""
    return ReceiptView(
        payment.id,
        payment.receipt_number,
        payment.amount_cents,
        payment.currency,
        payment.paid_at,
        payment.status == "succeeded",
        payment.provider == "sandbox",
    )


@dataclass(frozen=True)
class CheckoutPage:
    """A checkout with its invoice and, once paid, its payment."""

    checkout: CheckoutView
    pay: PayView
    payment: ReceiptView | None


def checkout_page(db: Session, scope: Scope, token: str) -> CheckoutPage:
    """A checkout of this customer by its token, with what its pages show."""
    checkout = customer_checkout(db, scope.workspace_id, scope.customer_id, token)
    pay = pay_view(db, scope, checkout.invoice_id)
    payment = db.get(Payment, checkout.payment_id) if checkout.payment_id else None
    return CheckoutPage(
        checkout_view(checkout), pay, receipt_view(payment) if payment is not None else None
    )


def receipt_page(db: Session, scope: Scope, payment_id: int) -> tuple[ReceiptView, InvoiceView]:
    """A receipt of this customer's, when the policy shows payments (else 404)."""
    if not scope.policy.shows("invoices", "payments"):
        raise NotFound(NO_RECEIPT)
    payment = db.scalar(
        select(Payment).where(
            Payment.id == payment_id,
            Payment.workspace_id == scope.workspace_id,
            Payment.customer_id == scope.customer_id,
            Payment.status == "succeeded",
        )
    )
    if payment is None:
        raise NotFound(NO_RECEIPT)
    return receipt_view(payment), pay_view(db, scope, payment.invoice_id).invoice
