"""Paying an invoice in the sandbox in real Chromium: a decline, then a test card that works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from server.db.models import Invoice, OutboxEmail, Payment, Workspace
from tests.e2e.conftest import LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e


def test_pay_an_invoice_in_the_sandbox(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    with live.sessionmaker() as db:
        w = db.get(Workspace, ws.id)
        assert w is not None
        w.branding = {
            "brand_name": "Brightwater Plumbing",
            "primary_color": "#0b5d6b",
            "accent_color": "#f2b134",
            "phone": "+1 555 0142",
            "email": "help@brightwater.example",
            "hours": "Mon to Fri, 8 AM to 6 PM",
        }
        db.commit()
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    base = f"{live.url}/p/{ws.slug}"

    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name=re.compile("INV-9")).first.click()
    page.get_by_role("link", name="Pay this invoice").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pay invoice INV-9")
    expect(page.get_by_text("TEST MODE")).to_be_visible()
    check_page(page, "pay")
    page.get_by_role("button", name="Pay $120.00").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Test payment")
    expect(page.get_by_role("cell", name="4242 4242 4242 4242")).to_be_visible()
    check_page(page, "pay-checkout")
    page.get_by_label("Name on the card").fill("Dana Whitfield")
    page.get_by_label("Card number", exact=True).fill("4000 0000 0000 0002")
    page.get_by_label("Expiry date (MM/YY)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay $120.00").click()
    expect(page.get_by_role("alert").last).to_contain_text("Your card was declined")
    check_page(page, "pay-declined")

    page.get_by_label("Card number", exact=True).fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date (MM/YY)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay $120.00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: payment received")
    expect(page.get_by_role("status")).to_contain_text("$120.00")
    check_page(page, "pay-done")

    page.get_by_role("link", name="View your receipt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Receipt R-")
    check_page(page, "receipt")

    with live.sessionmaker() as db:
        invoice = db.scalar(
            select(Invoice).where(
                Invoice.customer_id == person.customer_id, Invoice.number == "INV-9"
            )
        )
        assert invoice is not None and (invoice.status, invoice.balance_cents) == ("paid", 0)
        [payment] = db.scalars(select(Payment).where(Payment.invoice_id == invoice.id))
        assert payment.amount_cents == 12_000
        receipt = db.scalar(
            select(OutboxEmail).where(
                OutboxEmail.customer_id == person.customer_id, OutboxEmail.kind == "receipt"
            )
        )
        assert receipt is not None and receipt.status == "pending"  # no SMTP here

    page.goto(f"{base}/invoices/{invoice.id}")
    expect(page.get_by_role("link", name="Pay this invoice")).to_have_count(0)
