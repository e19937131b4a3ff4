"""Sign-in trouble reaches the inbox: a lockout, an expired invite opened, a reset asked for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, make_customer, make_invite
from tests.support.smtp import wait_for
from tests.support.workspaces import TestWorkspace


def trouble(client: httpx.Client) -> list[dict[str, Any]]:
    """The sign-in trouble items of the inbox, newest first."""
    r = client.get("/api/v1/follow-ups", params={"kind": "sign_in_trouble"})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def test_a_lockout_is_filed_once(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    browser = Browser(server.url, ws.slug)
    try:
        codes = [browser.sign_in(customer.email, "not the password").status_code for _ in range(7)]
    finally:
        browser.close()
    assert codes[-1] == 429, codes
    (item,) = trouble(ws.client("dispatcher"))
    assert item["details"]["trouble"] == "locked" and item["details"]["locked_until"]
    assert item["title"] == "Dana Whitfield is locked out after too many wrong passwords"
    assert item["contact_id"] == customer.contact_id
    assert item["details"]["email"] == customer.email


def test_an_expired_invite_opened_tells_the_office_once(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, status="invited", records=False)
    old = make_invite(
        server.sessionmaker, ws.id, customer.account_id, expires_in=timedelta(hours=-1)
    )
    browser = Browser(server.url, ws.slug)
    try:
        for _ in range(3):
            page = browser.get(f"/invite/{old}")
            assert page.status_code == 410
            assert "We have let" in page.text and "know, so they can send you a new one" in (
                page.text
            )
        # An unknown link tells nobody anything.
        unknown = browser.get("/invite/not-a-real-token")
        assert unknown.status_code == 410 and "We have let" not in unknown.text
    finally:
        browser.close()
    (item,) = trouble(ws.client("dispatcher"))
    assert item["details"]["trouble"] == "expired_invite_clicked"
    assert item["title"] == "Dana Whitfield opened an invite link that had expired"


def test_a_used_invite_opened_again_is_no_trouble(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    old = make_invite(
        server.sessionmaker, ws.id, customer.account_id, expires_in=timedelta(hours=-1)
    )
    browser = Browser(server.url, ws.slug)
    try:
        page = browser.get(f"/invite/{old}")  # an active account: the office has nothing to do
        assert page.status_code == 410 and "We have let" not in page.text
    finally:
        browser.close()
    assert trouble(ws.client("dispatcher")) == []


def test_reset_requests_keep_one_item_that_comes_back(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    office = ws.client("dispatcher")
    browser = Browser(server.url, ws.slug)
    try:
        assert browser.post("/forgot", {"email": customer.email}).status_code == 200
        wait_for(lambda: len(trouble(office)) == 1, what="the reset item")
        (item,) = trouble(office)
        assert item["details"]["trouble"] == "reset_requested"
        done = office.patch(
            f"/api/v1/follow-ups/{item['id']}",
            json={"state": "done", "note": "Customer got in"},
            headers={"If-Match": f'"{item["version"]}"'},
        )
        assert done.status_code == 200
        assert browser.post("/forgot", {"email": customer.email}).status_code == 200
        wait_for(lambda: trouble(office)[0]["state"] == "open", what="the item reopened")
    finally:
        browser.close()
    (again,) = trouble(office)
    assert again["id"] == item["id"] and again["happened_at"] >= item["happened_at"]
