"""Working items: take, hand over, clash (409 naming who), stale (412), done with a note."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import httpx
from sqlalchemy import select

from server.db.models import AuditEvent
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer
from tests.support.workspaces import TestWorkspace


def _item(ws: TestWorkspace, portal_customer: PortalCustomer, browser: Browser) -> dict[str, Any]:
    qid = portal_customer.ids["quote"]
    r = browser.post(
        f"/quotes/{qid}/approve", {"name": "Dana W", "agree": "yes"}, form_page=f"/quotes/{qid}"
    )
    assert r.status_code == 303
    page = ws.client("owner").get("/api/v1/follow-ups").json()
    item: dict[str, Any] = page["data"][0]
    return item


def _id(ws: TestWorkspace, role: str) -> int:
    staff_id: int = ws.client(role).get("/api/v1/auth/me").json()["id"]
    return staff_id


def patch(
    client: httpx.Client, item: dict[str, Any], body: dict[str, Any], version: int | None = None
) -> httpx.Response:
    """PATCH an item based on ``version`` (default: the item's own)."""
    v = item["version"] if version is None else version
    return client.patch(
        f"/api/v1/follow-ups/{item['id']}", json=body, headers={"If-Match": f'"{v}"'}
    )


def test_two_people_taking_the_same_item(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    item = _item(ws, portal_customer, customer_browser)
    manager, dispatcher = ws.client("manager"), ws.client("dispatcher")
    took = patch(manager, item, {"assignee_id": _id(ws, "manager")})
    assert took.status_code == 200, took.text
    held = took.json()
    assert held["assignee_name"] == "Manager" and held["version"] == item["version"] + 1
    # The dispatcher pressed "Take" on what they saw before: 412 with the item as it is now.
    stale = patch(dispatcher, item, {"assignee_id": _id(ws, "dispatcher")})
    assert stale.status_code == 412
    body = stale.json()
    assert "Manager took it on" in body["detail"] and body["current"]["assignee_name"] == "Manager"
    assert body["current"]["version"] == held["version"]
    # Having seen it, taking it anyway without saying so: 409 naming who.
    clash = patch(dispatcher, held, {"assignee_id": _id(ws, "dispatcher")})
    assert clash.status_code == 409
    assert "Manager already holds this item" in clash.json()["detail"]
    assert clash.json()["current"]["assignee_id"] == _id(ws, "manager")
    over = patch(dispatcher, held, {"assignee_id": _id(ws, "dispatcher"), "take_over": True})
    assert over.status_code == 200 and over.json()["assignee_name"] == "Dispatcher"
    # Handing it to someone else is a deliberate choice and allowed; null unassigns.
    back = patch(dispatcher, over.json(), {"assignee_id": _id(ws, "owner")})
    assert back.status_code == 200 and back.json()["assignee_name"] == "Owner"
    free = patch(dispatcher, back.json(), {"assignee_id": None})
    assert free.status_code == 200 and free.json()["assignee_id"] is None
    with server.sessionmaker() as db:
        moves = db.scalars(
            select(AuditEvent).where(
                AuditEvent.workspace_id == ws.id, AuditEvent.action == "follow_up.assigned"
            )
        ).all()
    assert len(moves) == 4


def test_simultaneous_takes_let_exactly_one_win(
    ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    item = _item(ws, portal_customer, customer_browser)
    roles = ("owner", "manager", "dispatcher")
    ids = {r: _id(ws, r) for r in roles}

    def take(role: str) -> int:
        return patch(ws.client(role), item, {"assignee_id": ids[role]}).status_code

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        codes = sorted(pool.map(take, roles))
    assert codes == [200, 412, 412]


def test_done_needs_a_note_and_can_be_reopened(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    item = _item(ws, portal_customer, customer_browser)
    owner = ws.client("owner")
    for body in ({"state": "done"}, {"state": "done", "note": "   "}):
        r = patch(owner, item, body)
        assert r.status_code == 422 and "what was done" in r.json()["errors"]["note"]
    alone = patch(owner, item, {"note": "Called them"})
    assert alone.status_code == 422 and "note" in alone.json()["errors"]
    done = patch(owner, item, {"state": "done", "note": "Booked for Tuesday"})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done" and done.json()["done_note"] == "Booked for Tuesday"
    assert done.json()["done_by_name"] == "Owner" and done.json()["done_at"]
    counts = owner.get("/api/v1/follow-ups/counts").json()
    assert counts["open_total"] == 0
    stale = patch(owner, item, {"state": "open"})
    assert stale.status_code == 412 and "Owner marked it done on" in stale.json()["detail"]
    reopened = patch(owner, done.json(), {"state": "open"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    assert reopened.json()["done_note"] is None
    assert owner.get("/api/v1/follow-ups/counts").json()["open_total"] == 1
    with server.sessionmaker() as db:
        actions = set(
            db.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)).all()
        )
    assert {"follow_up.done", "follow_up.reopened"} <= actions


def test_bad_patches(
    ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    item = _item(ws, portal_customer, customer_browser)
    owner = ws.client("owner")
    url = f"/api/v1/follow-ups/{item['id']}"
    assert owner.patch(url, json={"state": "done", "note": "x"}).status_code == 428
    star = owner.patch(url, json={"state": "done", "note": "x"}, headers={"If-Match": "*"})
    assert star.status_code == 428
    nobody = patch(owner, item, {"assignee_id": 999_999_999})
    assert nobody.status_code == 422 and "assignee_id" in nobody.json()["errors"]
    for body in ({"state": "closed"}, {"assignee_id": "7"}, {"colour": "red"}, {"note": "a\x00"}):
        r = patch(owner, item, body)
        assert r.status_code == 422, (body, r.text)
    long_note = patch(owner, item, {"state": "done", "note": "n" * 2001})
    assert long_note.status_code == 422 and "note" in long_note.json()["errors"]
    # Nothing above changed the item.
    again = owner.get(url).json()
    assert again["version"] == item["version"] and again["state"] == "open"


def test_a_role_without_the_permission_is_told_which(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    item = _item(ws, portal_customer, customer_browser)
    owner = ws.client("owner")
    perms = owner.get("/api/v1/team/permissions")
    roles = perms.json()["roles"]
    roles["dispatcher"] = [p for p in roles["dispatcher"] if p != "handle_follow_up"]
    saved = owner.put(
        "/api/v1/team/permissions",
        json={"roles": {"dispatcher": roles["dispatcher"]}},
        headers={"If-Match": perms.headers["etag"]},
    )
    assert saved.status_code == 200, saved.text
    r = patch(ws.client("dispatcher"), item, {"state": "done", "note": "done it"})
    assert r.status_code == 403 and "handle follow up" in r.json()["detail"]
    # Reading the inbox needs only view_customers.
    assert ws.client("dispatcher").get("/api/v1/follow-ups").status_code == 200
