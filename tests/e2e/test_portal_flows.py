"""The customer portal in real Chromium: invite to sign-out, disable, reset, coming soon."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from server.db.models import OutboxEmail, PortalAccount, Quote, ServiceRequest, Workspace
from tests.e2e.conftest import LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer, make_invite
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "kettle lantern meadow"


def _branded(live: LiveServer, ws_id: int) -> None:
    with live.sessionmaker() as db:
        ws = db.get(Workspace, ws_id)
        assert ws is not None
        ws.branding = {
            "brand_name": "Brightwater Plumbing",
            "primary_color": "#0b5d6b",
            "accent_color": "#f2b134",
            "phone": "+1 555 0142",
            "email": "help@brightwater.example",
            "address": "4 Canal Street, Springfield",
            "hours": "Mon to Fri, 8 AM to 6 PM",
        }
        db.commit()


def test_invite_to_sign_out(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    _branded(live, ws.id)
    person = make_customer(live.sessionmaker, ws.id, ws.slug, status="invited")
    token = make_invite(live.sessionmaker, ws.id, person.account_id)
    base = f"{live.url}/p/{ws.slug}"

    page.goto(f"{base}/invite/{token}")
    check_page(page, "invite")
    page.get_by_label("New password").fill("short")
    page.get_by_label("Type it again").fill("short")
    page.evaluate("document.querySelectorAll('input').forEach(i => i.removeAttribute('minlength'))")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")
    check_page(page, "invite-error")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    check_page(page, "home")

    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your jobs")
    check_page(page, "jobs")
    page.get_by_role("link", name="Fix the boiler").first.click()
    expect(page.get_by_text("Replace the pressure valve")).to_be_visible()
    check_page(page, "job")

    page.get_by_role("link", name="Quotes", exact=True).click()
    check_page(page, "quotes")
    page.get_by_role("link", name=re.compile("New boiler")).click()
    check_page(page, "quote")
    page.get_by_label("Your full name").fill("Dana Whitfield")
    page.get_by_label(re.compile("I approve this quote")).check()
    page.get_by_role("button", name="Approve quote").click()
    expect(page.get_by_role("status")).to_contain_text("approval is recorded")
    check_page(page, "quote-approved")

    page.get_by_role("link", name="Invoices", exact=True).click()
    check_page(page, "invoices")
    page.get_by_role("link", name=re.compile(r"^Invoice ")).first.click()
    check_page(page, "invoice")
    page.get_by_role("link", name="Documents", exact=True).click()
    check_page(page, "documents")

    page.get_by_role("link", name="Request service").click()
    check_page(page, "request")
    page.get_by_label("What do you need?").fill("The outside tap is leaking")
    page.get_by_label(re.compile("When suits you")).fill("Weekday mornings")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your request is sent")
    check_page(page, "request-sent")

    page.get_by_role("link", name="Change your password").click()
    check_page(page, "change-password")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    check_page(page, "sign-in")
    page.goto(f"{base}/jobs")
    expect(page).to_have_url(re.compile("/sign-in"))

    with live.sessionmaker() as db:
        assert db.get(Quote, person.ids["quote"]).status == "approved"  # type: ignore[union-attr]
        assert db.scalars(
            select(ServiceRequest).where(ServiceRequest.customer_id == person.customer_id)
        ).one()
    ws.close()


def test_disabled_account_is_sent_to_sign_in(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    page.goto(f"{live.url}/p/{ws.slug}/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    check_page(page, "sign-in-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    with live.sessionmaker() as db:
        db.execute(
            update(PortalAccount)
            .where(PortalAccount.id == person.account_id)
            .values(status="disabled")
        )
        db.commit()
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page).to_have_url(re.compile("/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    ws.close()


def test_reset_flow(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    _branded(live, ws.id)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    page.goto(f"{live.url}/p/{ws.slug}/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    check_page(page, "forgot")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page, "forgot-sent")
    with live.sessionmaker() as db:
        link = db.scalars(
            select(OutboxEmail.link).where(OutboxEmail.account_id == person.account_id)
        ).one()
    assert link
    page.goto(link)
    check_page(page, "reset")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("status")).to_contain_text("new password is saved")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    check_page(page, "link-gone")
    page.goto(f"{live.url}/p/{ws.slug}/jobs/999999")
    check_page(page, "not-found")
    ws.close()


def test_coming_soon(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url, portal_status="coming_soon")
    _branded(live, ws.id)
    page.goto(f"{live.url}/p/{ws.slug}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_contain_text("coming soon")
    expect(page.get_by_text("+1 555 0142").first).to_be_visible()
    check_page(page, "coming-soon")
    ws.close()
