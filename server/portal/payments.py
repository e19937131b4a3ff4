"""Portal payment pages: pay an invoice, the sandbox checkout, return pages and receipts.

The routes parse, check the policy and render; the workflows are domain services
(``server.domain.checkout``), and templates get policy-filtered views
(``server.domain.portal_payment_views``), never invoice, checkout or payment rows.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from server.deps import DB, AppSettings, RowIdPath
from server.domain import checkout as checkout_service
from server.domain.errors import Conflict, NotFound
from server.domain.portal_payment_views import (
    CheckoutPage,
    PayView,
    checkout_page,
    pay_view,
    receipt_page,
)
from server.payments import PaymentsNotConfigured, provider_for, provider_named
from server.payments.base import ProviderUnavailable
from server.payments.sandbox import TEST_CARDS
from server.portal.deps import Customer, CustomerContext, CustomerForm
from server.portal.payment_webhooks import receipt_links
from server.portal.render import render

router = APIRouter()

NOT_AVAILABLE = "Online payment is not available"
NO_CHECKOUT = "We could not find that payment. Start again from your invoice."


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
    request: Request, ctx: CustomerContext, pay: PayView, problem: str | None, status: int
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
        invoice=pay.invoice,
        problem=problem,
        test_mode=test_mode,
    )


@router.get("/invoices/{invoice_id}/pay")
def pay_page(invoice_id: RowIdPath, request: Request, ctx: Customer, db: DB) -> Response:
    """What paying this invoice online involves, with the button that starts it."""
    pay = pay_view(db, ctx.scope, invoice_id)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    return _pay_page(request, ctx, pay, pay.problem, 200)


@router.post("/invoices/{invoice_id}/pay")
def start_payment(
    invoice_id: RowIdPath, request: Request, ctx: CustomerForm, db: DB, settings: AppSettings
) -> Response:
    """Open a checkout for the balance and send the browser to the card page."""
    pay = pay_view(db, ctx.scope, invoice_id)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    payer = checkout_service.Payer(ctx.actor, ctx.contact.id, ctx.contact.email)
    try:
        provider = provider_for(ctx.workspace, settings)
        url = checkout_service.start_checkout(
            db,
            ctx.workspace,
            ctx.scope,
            invoice_id,
            payer,
            provider,
            receipt_links(request, ctx.workspace, ctx.branding.logo_file_id),
            ctx.branding.brand_name,
        )
    except PaymentsNotConfigured:
        return _pay_page(request, ctx, pay, None, 503)
    except Conflict as exc:
        return _pay_page(request, ctx, pay_view(db, ctx.scope, invoice_id), exc.detail, 409)
    except ProviderUnavailable as exc:
        return _pay_page(request, ctx, pay, str(exc), 503)
    return RedirectResponse(url, status_code=303)


def _sandbox_checkout(db: DB, ctx: CustomerContext, token: str) -> CheckoutPage:
    page = checkout_page(db, ctx.scope, token)
    if not page.checkout.test_mode:
        raise NotFound(NO_CHECKOUT)
    return page


def _card_page(
    request: Request,
    ctx: CustomerContext,
    page: CheckoutPage,
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
        checkout=page.checkout,
        invoice=page.pay.invoice,
        test_cards=TEST_CARDS,
        error=error,
        error_field=field,
        name=name,
    )


@router.get("/checkout/{token}")
def sandbox_checkout_page(token: str, request: Request, ctx: Customer, db: DB) -> Response:
    """The sandbox's card page, marked TEST MODE, listing the test card numbers."""
    page = _sandbox_checkout(db, ctx, token)
    if page.checkout.status == "completed":
        return RedirectResponse(f"{ctx.base}/checkout/{token}/done", status_code=303)
    if not ctx.policy.allows("pay_invoices"):
        return _not_available(request, ctx)
    if page.checkout.status != "open":
        return _pay_page(request, ctx, page.pay, checkout_service.REPLACED, 409)
    if page.pay.problem:
        return _pay_page(request, ctx, page.pay, page.pay.problem, 409)
    return _card_page(request, ctx, page)


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
    page = _sandbox_checkout(db, ctx, token)
    if not ctx.policy.allows("pay_invoices") and page.checkout.status != "completed":
        return _not_available(request, ctx)
    try:
        outcome = checkout_service.pay_with_test_card(
            db,
            ctx.workspace,
            ctx.scope,
            token,
            (number, expiry, cvc),
            ctx.actor,
            receipt_links(request, ctx.workspace, ctx.branding.logo_file_id),
        )
    except Conflict as exc:
        fresh = pay_view(db, ctx.scope, page.pay.invoice.id)
        return _pay_page(request, ctx, fresh, exc.detail, 409)
    if not outcome.paid:
        return _card_page(
            request, ctx, page, status=outcome.status, error=outcome.message,
            field=outcome.field, name=name,
        )  # fmt: skip
    return RedirectResponse(f"{ctx.base}/checkout/{token}/done", status_code=303)


@router.get("/checkout/{token}/done")
def checkout_done(
    token: str, request: Request, ctx: Customer, db: DB, settings: AppSettings
) -> Response:
    """Where the customer lands after paying; confirms with the provider if needed."""
    page = checkout_page(db, ctx.scope, token)
    waiting: str | None = None
    if page.checkout.status == "open" and not page.checkout.test_mode:
        try:
            checkout_service.confirm_return(
                db,
                ctx.workspace.id,
                token,
                provider_named(page.checkout.provider, settings),
                receipt_links(request, ctx.workspace, ctx.branding.logo_file_id),
                ctx.ip,
            )
        except (ProviderUnavailable, PaymentsNotConfigured):
            waiting = "We could not reach the card processor just now."
        page = checkout_page(db, ctx.scope, token)
    return render(
        request,
        "portal/pay_done.html",
        ctx,
        nav="invoices",
        checkout=page.checkout,
        invoice=page.pay.invoice,
        payment=page.payment,
        waiting=waiting,
        test_mode=page.checkout.test_mode,
    )


@router.get("/checkout/{token}/cancelled")
def checkout_cancelled(token: str, request: Request, ctx: Customer, db: DB) -> Response:
    """The customer left the card page without paying."""
    page = checkout_page(db, ctx.scope, token)
    return render(
        request,
        "portal/message.html",
        ctx,
        heading="No payment was made",
        lines=["You left the payment page, so no money was taken. You can pay any time."],
        link=f"{ctx.base}/invoices/{page.checkout.invoice_id}/pay",
        link_label="Try again",
    )


@router.get("/receipts/{payment_id}")
def receipt(payment_id: RowIdPath, request: Request, ctx: Customer, db: DB) -> Response:
    """A printable receipt for one of this customer's payments."""
    payment, invoice = receipt_page(db, ctx.scope, payment_id)
    return render(
        request, "portal/receipt.html", ctx, nav="invoices", payment=payment, invoice=invoice
    )
