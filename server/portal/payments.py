"""Portal payment pages: pay an invoice, the sandbox checkout, return pages and receipts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from server.db.base import utcnow
from server.db.engine import writable
from server.db.models import Checkout, Invoice, Payment, Workspace
from server.deps import DB, AppSettings, RowIdPath
from server.domain.audit import record_event
from server.domain.errors import Conflict, NotFound
from server.domain.payment_events import confirm_with_provider
from server.domain.payments import (
    apply_checkout_payment,
    customer_checkout,
    customer_invoice,
    open_checkout,
    payable_problem,
)
from server.payments import PaymentsNotConfigured, provider_for, provider_named
from server.payments.base import CheckoutRequest, ProviderUnavailable
from server.payments.sandbox import TEST_CARDS, charge_test_card
from server.portal.deps import Customer, CustomerContext, CustomerForm
from server.portal.payment_webhooks import portal_url, receipt_links
from server.portal.render import render

router = APIRouter()

NOT_AVAILABLE = "Online payment is not available"


def _invoice(db: DB, ctx: CustomerContext, invoice_id: int) -> Invoice:
    """This customer's invoice, if the office shows invoices at all."""
    if not ctx.policy.shows("invoices"):
        raise NotFound("We could not find that page.")
    return customer_invoice(db, ctx.workspace.id, ctx.customer_id, invoice_id)


def _not_available(request: Request, ctx: CustomerContext) -> Response:
    return render(
        request,
        "portal/message.html",
        ctx,
        heading=NOT_AVAILABLE,
        lines=[
            f"{ctx.branding.brand_name} does not take payments through this portal. "
            "Please pay the way you usually do, or contact us to arrange payment."
        ],
        show_contact=True,
        link=f"{ctx.base}/invoices",
        link_label="Back to your invoices",
    )


def _pay_page(
    request: Request, ctx: CustomerContext, invoice: Invoice, problem: str | None, status: int
) -> Response:
    settings = request.app.state.settings
    try:
        test_mode = provider_for(ctx.workspace, settings).test_mode
    except PaymentsNotConfigured:
        test_mode = False
        problem = problem or "Online payment is not set up yet. Please contact us to pay."
    return render(
        request,
        "portal/pay.html",
        ctx,
        status=status,
        nav="invoices",
        invoice=invoice,
        problem=problem,
        test_mode=test_mode,
    )


@router.get("/invoices/{invoice_id}/pay")
def pay_page(invoice_id: RowIdPath, request: Request, ctx: Customer, db: DB) -> Response:
    """What paying this invoice online involves, with the button that starts it."""
    invoice = _invoice(db, ctx, invoice_id)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    return _pay_page(request, ctx, invoice, payable_problem(invoice), 200)


@router.post("/invoices/{invoice_id}/pay")
def start_payment(
    invoice_id: RowIdPath, request: Request, ctx: CustomerForm, db: DB, settings: AppSettings
) -> Response:
    """Open a checkout for the balance and send the browser to the card page."""
    invoice = _invoice(db, ctx, invoice_id)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    try:
        provider = provider_for(ctx.workspace, settings)
        checkout = open_checkout(db, invoice, ctx.contact.id, provider.name)
    except PaymentsNotConfigured:
        return _pay_page(request, ctx, invoice, None, 503)
    except Conflict as exc:
        return _pay_page(request, ctx, invoice, exc.detail, 409)
    record_event(
        db,
        ctx.workspace.id,
        ctx.actor,
        "invoice.checkout_started",
        customer_id=ctx.customer_id,
        contact_id=ctx.contact.id,
        invoice_id=invoice.id,
        amount_cents=checkout.amount_cents,
        provider=provider.name,
    )
    # Commit before calling the provider: no database lock is held during its network call.
    db.commit()
    url = portal_url(request, ctx.workspace.slug)
    number = invoice.number if ctx.policy.shows("invoices", "number") else "payment"
    try:
        started = provider.start_checkout(
            CheckoutRequest(
                token=checkout.token,
                amount_cents=checkout.amount_cents,
                currency=checkout.currency,
                description=f"Invoice {number} from {ctx.branding.brand_name}",
                customer_email=ctx.contact.email,
                checkout_page_url=f"{url}/checkout/{checkout.token}",
                success_url=f"{url}/checkout/{checkout.token}/done",
                cancel_url=f"{url}/checkout/{checkout.token}/cancelled",
                metadata={"portal": ctx.workspace.slug, "invoice_id": str(invoice.id)},
            )
        )
    except ProviderUnavailable as exc:
        return _pay_page(request, ctx, invoice, str(exc), 503)
    checkout.provider_session_id = started.provider_session_id
    db.commit()
    return RedirectResponse(started.redirect_url, status_code=303)


def _sandbox_checkout(db: DB, ctx: CustomerContext, token: str) -> tuple[Checkout, Invoice]:
    checkout = customer_checkout(db, ctx.workspace.id, ctx.customer_id, token)
    if checkout.provider != "sandbox":
        raise NotFound("We could not find that payment. Start again from your invoice.")
    return checkout, _invoice(db, ctx, checkout.invoice_id)


def _card_page(
    request: Request,
    ctx: CustomerContext,
    checkout: Checkout,
    invoice: Invoice,
    *,
    status: int = 200,
    error: str | None = None,
    field: str | None = None,
    name: str = "",
) -> Response:
    return render(
        request,
        "portal/pay_checkout.html",
        ctx,
        status=status,
        nav="invoices",
        checkout=checkout,
        invoice=invoice,
        test_cards=TEST_CARDS,
        error=error,
        error_field=field,
        name=name,
    )


@router.get("/checkout/{token}")
def sandbox_checkout_page(token: str, request: Request, ctx: Customer, db: DB) -> Response:
    """The sandbox's card page, marked TEST MODE, listing the test card numbers."""
    checkout, invoice = _sandbox_checkout(db, ctx, token)
    if checkout.status == "completed":
        return RedirectResponse(f"{ctx.base}/checkout/{token}/done", status_code=303)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    problem = payable_problem(invoice)
    if problem:
        return _pay_page(request, ctx, invoice, problem, 409)
    return _card_page(request, ctx, checkout, invoice)


@router.post("/checkout/{token}")
def sandbox_pay(
    token: str,
    request: Request,
    ctx: CustomerForm,
    db: DB,
    number: Annotated[str, Form(max_length=40)] = "",
    expiry: Annotated[str, Form(max_length=10)] = "",
    cvc: Annotated[str, Form(max_length=10)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Charge a test card: approved cards pay the invoice once, others explain the decline."""
    checkout, invoice = _sandbox_checkout(db, ctx, token)
    done = RedirectResponse(f"{ctx.base}/checkout/{token}/done", status_code=303)
    if checkout.status == "completed":
        return done
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    problem = payable_problem(invoice)
    if problem:
        return _pay_page(request, ctx, invoice, f"{problem} Your card was not charged.", 409)
    result = charge_test_card(number, expiry, cvc, today=utcnow().date())
    if not result.approved:
        if result.last4:  # a real decline (not a typing mistake): the office may want to know
            checkout.last_decline = result.message
            record_event(
                db,
                ctx.workspace.id,
                ctx.actor,
                "payment.declined",
                customer_id=ctx.customer_id,
                contact_id=ctx.contact.id,
                invoice_id=invoice.id,
                reason=result.message,
                card_last4=result.last4,
            )
            db.commit()
        status = 402 if result.last4 else 422
        return _card_page(
            request, ctx, checkout, invoice, status=status, error=result.message,
            field=result.field, name=name,
        )  # fmt: skip
    try:
        apply_checkout_payment(
            db,
            ctx.workspace,
            checkout,
            provider_ref=f"sbx_{checkout.token}",
            amount_cents=checkout.amount_cents,
            actor=ctx.actor,
            links=receipt_links(request, ctx.workspace, ctx.branding.logo_file_id),
            money_taken=False,
            card=f"{result.brand} ending {result.last4}",
            test_mode=True,
        )
    except Conflict as exc:
        return _pay_page(request, ctx, invoice, exc.detail, 409)
    db.commit()
    return done


@router.get("/checkout/{token}/done")
def checkout_done(
    token: str, request: Request, ctx: Customer, db: DB, settings: AppSettings
) -> Response:
    """Where the customer lands after paying; confirms with the provider if needed."""
    checkout = customer_checkout(db, ctx.workspace.id, ctx.customer_id, token)
    invoice = _invoice(db, ctx, checkout.invoice_id)
    waiting: str | None = None
    if checkout.status == "open" and checkout.provider != "sandbox":
        try:
            provider = provider_named(checkout.provider, settings)
            links = receipt_links(request, ctx.workspace, ctx.branding.logo_file_id)
            # Recording a payment the provider confirms is the one write behind this GET
            # (Stripe's advice: do not wait for the webhook); it is idempotent.
            with writable(db) as w:
                fresh = w.get(Checkout, checkout.id)
                workspace = w.get(Workspace, ctx.workspace.id)
                assert fresh is not None and workspace is not None
                if confirm_with_provider(w, workspace, provider, fresh, links, ctx.ip):
                    w.commit()
        except (ProviderUnavailable, PaymentsNotConfigured):
            waiting = "We could not reach the card processor just now."
        db.commit()  # end this request's read snapshot so the refresh sees the payment
        db.refresh(checkout)
        db.refresh(invoice)
    payment = db.get(Payment, checkout.payment_id) if checkout.payment_id else None
    return render(
        request,
        "portal/pay_done.html",
        ctx,
        nav="invoices",
        checkout=checkout,
        invoice=invoice,
        payment=payment,
        waiting=waiting,
        test_mode=checkout.provider == "sandbox",
    )


@router.get("/checkout/{token}/cancelled")
def checkout_cancelled(token: str, request: Request, ctx: Customer, db: DB) -> Response:
    """The customer left the card page without paying."""
    checkout = customer_checkout(db, ctx.workspace.id, ctx.customer_id, token)
    _invoice(db, ctx, checkout.invoice_id)
    return render(
        request,
        "portal/message.html",
        ctx,
        heading="No payment was made",
        lines=["You left the payment page, so no money was taken. You can pay any time."],
        link=f"{ctx.base}/invoices/{checkout.invoice_id}/pay",
        link_label="Try again",
    )


@router.get("/receipts/{payment_id}")
def receipt_page(payment_id: RowIdPath, request: Request, ctx: Customer, db: DB) -> Response:
    """A printable receipt for one of this customer's payments."""
    if not ctx.policy.shows("invoices", "payments"):
        raise NotFound("We could not find that receipt.")
    payment = db.scalar(
        select(Payment).where(
            Payment.id == payment_id,
            Payment.workspace_id == ctx.workspace.id,
            Payment.customer_id == ctx.customer_id,
            Payment.status == "succeeded",
        )
    )
    if payment is None:
        raise NotFound("We could not find that receipt.")
    invoice = _invoice(db, ctx, payment.invoice_id)
    return render(
        request, "portal/receipt.html", ctx, nav="invoices", payment=payment, invoice=invoice
    )
