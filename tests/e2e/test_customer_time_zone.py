"""A customer in another time zone sees the business's local time with its zone named, in
real Chromium at phone and desktop width; a customer in the business's zone sees no suffix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from server.db.models import Job, Workspace
from tests.e2e.conftest import LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e
# 22:05 UTC on March 3, 2026: 2:05 PM at an Oregon plumber's (Pacific Standard Time).
SCHEDULED = datetime(2026, 3, 3, 22, 5, tzinfo=UTC)


def test_a_customer_elsewhere_sees_the_business_zone_named(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    with live.sessionmaker() as db:
        db.execute(
            update(Workspace).where(Workspace.id == ws.id).values(time_zone="America/Los_Angeles")
        )
        db.execute(update(Job).where(Job.id == person.ids["job"]).values(scheduled_start=SCHEDULED))
        db.commit()
    base = f"{live.url}/p/{ws.slug}"
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    scheduled = page.locator('[data-why="jobs.scheduled_time"]')
    page.goto(f"{base}/jobs/{person.ids['job']}")
    expect(scheduled).to_have_text("Tue, March 3, 2026, 2:05\u202fPM")
    check_page(page, "job-time-same-zone")

    # The customer lives in New York: the office says so (as the CRM could).
    office = ws.client("owner")
    tag = office.get(f"/api/v1/contacts/{person.contact_id}").headers["etag"]
    r = office.patch(
        f"/api/v1/contacts/{person.contact_id}",
        json={"time_zone": "America/New_York"},
        headers={"If-Match": tag},
    )
    assert r.status_code == 200, r.text
    page.goto(f"{base}/jobs/{person.ids['job']}")
    expect(scheduled).to_have_text("Tue, March 3, 2026, 2:05\u202fPM Pacific Standard Time")
    check_page(page, "job-time-other-zone")
    # At phone width the named zone wraps inside its box instead of running off the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    box = scheduled.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
