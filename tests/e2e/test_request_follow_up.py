"""A service request followed up in real Chromium: the office's question answered on the
portal, the booked visit, a declined request, and an expired invite the office is told of."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from server.db.base import utcnow
from tests.e2e.conftest import LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer, make_invite
from tests.support.workspaces import TestWorkspace, make_workspace

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _send(page: Page, text: str) -> int:
    page.get_by_role("link", name="Request service").click()
    page.get_by_label("What do you need?").fill(text)
    page.get_by_label(re.compile("When suits you")).fill("Weekday mornings")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your request is sent")
    return int(page.url.rsplit("/", 1)[1])


def _office(ws: TestWorkspace, rid: int, action: str, body: dict[str, object]) -> None:
    r = ws.client("dispatcher").post(f"/api/v1/service-requests/{rid}/{action}", json=body)
    assert r.status_code == 200, r.text


def test_question_answer_booking_and_decline(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    base = f"{live.url}/p/{ws.slug}"
    _sign_in(page, base, person.email)
    rid = _send(page, "The outside tap is leaking near the back door")
    question = "Is the water coming from the tap itself, or from the pipe in the wall behind it?"
    _office(ws, rid, "ask", {"question": question})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your service request")
    expect(page.get_by_text(question)).to_be_visible()
    check_page(page, "request-question")
    page.get_by_role("link", name="See the job").click()
    expect(page.get_by_role("status")).to_contain_text("We have a question about your request")
    check_page(page, "job-request-question")
    page.get_by_role("link", name="Answer it here").click()
    page.evaluate("document.getElementById('answer').removeAttribute('required')")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Write your answer (up to 2000")).to_be_visible()
    check_page(page, "request-answer-error")
    page.get_by_label("Your answer").fill("From the pipe behind it, where it goes into the wall.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status")).to_contain_text("we have your answer")
    check_page(page, "request-answered")
    start = (utcnow() + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    _office(
        ws,
        rid,
        "accept",
        {
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(hours=2)).isoformat(),
            "technician_name": "Sam Carter",
        },
    )
    page.reload()
    expect(page.get_by_text("Booked.")).to_be_visible()
    expect(page.get_by_text("Sam Carter")).to_be_visible()
    check_page(page, "request-booked")

    other = _send(page, "Please look at the garden irrigation system")
    _office(ws, other, "decline", {"reason": "We do not work on irrigation systems, sorry."})
    page.reload()
    expect(page.get_by_text("We do not work on irrigation systems")).to_be_visible()
    check_page(page, "request-declined")
    ws.close()


def test_an_expired_invite_says_the_office_knows(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    person = make_customer(live.sessionmaker, ws.id, ws.slug, status="invited", records=False)
    token = make_invite(live.sessionmaker, ws.id, person.account_id, expires_in=timedelta(hours=-2))
    page.goto(f"{live.url}/p/{ws.slug}/invite/{token}")
    expect(page.get_by_text("We have let")).to_be_visible()
    check_page(page, "invite-expired-office-told")
    items = ws.client("dispatcher").get("/api/v1/follow-ups").json()
    assert items["count"] == 1 and items["data"][0]["details"]["trouble"] == (
        "expired_invite_clicked"
    )
    ws.close()
