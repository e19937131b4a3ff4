"""A new staff member chooses their own password from the invite link, in real Chromium."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, check_page
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e
PASSWORD = "copper kettle morning"


def test_staff_join_page_sets_their_own_password(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url, portal_status="coming_soon")
    try:
        email = f"nia@{ws.slug}.example.com"
        r = ws.client("owner").post(
            "/api/v1/team", json={"email": email, "name": "Nia Newbie", "role": "dispatcher"}
        )
        assert r.status_code == 201, r.text
        url = r.json()["invite_url"]
        page.goto(url)
        expect(
            page.get_by_role("heading", name=f"Workspace {ws.slug}", exact=False)
        ).to_be_visible()
        check_page(page, "staff-join")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_label("Type it again").fill(PASSWORD + " typo")
        page.get_by_role("button", name="Save my password").click()
        expect(page.get_by_role("alert")).to_contain_text("not the same")
        check_page(page, "staff-join-error")
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_label("Type it again").fill(PASSWORD)
        page.get_by_role("button", name="Save my password").click()
        expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
        check_page(page, "staff-join-done")
        signed = httpx.post(
            f"{live.url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        assert signed.status_code == 200
        page.goto(url)
        expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
        check_page(page, "staff-join-gone")
    finally:
        ws.close()
