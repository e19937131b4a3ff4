"""The follow-up inbox: items filed with their causes, listed, counted and on the feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import Change, FollowUp
from server.demo.follow_ups import seed_follow_ups
from server.wire.follow_up import FollowUpOut
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer
from tests.server.records_support import changes
from tests.support.workspaces import TestWorkspace


def approve(browser: Browser, quote_id: int, name: str = "Dana Whitfield") -> httpx.Response:
    """Approve a quote through the portal form."""
    return browser.post(
        f"/quotes/{quote_id}/approve",
        {"name": name, "agree": "yes"},
        form_page=f"/quotes/{quote_id}",
    )


def items(client: httpx.Client, **params: Any) -> dict[str, Any]:
    """One page of the inbox; fails the test unless it answered 200."""
    r = client.get("/api/v1/follow-ups", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_an_approval_files_one_item_with_what_the_customer_did(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    owner = ws.client("owner")
    assert items(owner)["count"] == 0
    qid = portal_customer.ids["quote"]
    assert approve(customer_browser, qid).status_code == 303
    page = items(owner)
    assert page["count"] == 1
    item = page["data"][0]
    assert item["kind"] == "quote_approved" and item["state"] == "open"
    assert (
        item["title"].startswith("Quote ")
        and "approved by Dana Whitfield ($2,500.00)" in (item["title"])
    )
    assert item["details"]["typed_name"] == "Dana Whitfield"
    assert item["details"]["amount_cents"] == 250000
    assert item["quote_id"] == qid and item["customer_id"] == portal_customer.customer_id
    assert item["contact_name"] == "Dana Whitfield"
    assert item["customer_name"].startswith("Whitfield household")
    # A second answer is refused, and files nothing.
    assert approve(customer_browser, qid).status_code == 409
    assert items(owner)["count"] == 1
    counts = owner.get("/api/v1/follow-ups/counts").json()
    assert counts["open_by_kind"]["quote_approved"] == 1
    assert counts["open_by_kind"]["invoice_paid"] == 0 and counts["open_total"] == 1
    assert counts["unassigned"] == 1 and counts["assigned_to_me"] == 0
    one = owner.get(f"/api/v1/follow-ups/{item['id']}")
    assert one.status_code == 200 and one.headers["etag"] == f'"{item["version"]}"'


def test_a_declined_quote_carries_the_reason(
    ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    qid = portal_customer.ids["quote"]
    r = customer_browser.post(
        f"/quotes/{qid}/decline", {"reason": "We found it cheaper"}, form_page=f"/quotes/{qid}"
    )
    assert r.status_code == 303, r.text[:300]
    (item,) = items(ws.client("dispatcher"), kind="quote_declined")["data"]
    assert item["details"]["reason"] == "We found it cheaper"
    assert item["title"].endswith(": We found it cheaper")


def test_the_feed_carries_items_as_the_api_shows_them_and_a_replay_adds_none(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    owner = ws.client("owner")
    assert approve(customer_browser, portal_customer.ids["quote"]).status_code == 303
    (item,) = items(owner)["data"]
    feed = [c for c in changes(owner)["data"] if c["entity"] == "follow_up"]
    assert len(feed) == 1 and feed[0]["id"] == item["id"] and feed[0]["op"] == "upsert"
    # The feed's data is a FollowUpOut, equal to the API's answer.
    assert FollowUpOut.model_validate(feed[0]["data"]) == FollowUpOut.model_validate(item)
    taken = owner.patch(
        f"/api/v1/follow-ups/{item['id']}",
        json={"assignee_id": _me(server, ws, "owner")},
        headers={"If-Match": f'"{item["version"]}"'},
    )
    assert taken.status_code == 200, taken.text
    # Read from 0 twice (a resync): still one follow-up record, at its latest version.
    for _ in range(2):
        again = [c for c in changes(owner)["data"] if c["entity"] == "follow_up"]
        assert len(again) == 1 and again[0]["data"]["version"] == taken.json()["version"]
        assert again[0]["data"]["assignee_name"] == "Owner"


def _me(server: Server, ws: TestWorkspace, role: str) -> int:
    me = ws.client(role).get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    staff_id: int = me.json()["id"]
    return staff_id


def test_filters_search_and_pages_over_many_items(server: Server, ws: TestWorkspace) -> None:
    from tests.server.portal.fixtures import make_customer

    make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    with server.sessionmaker() as db:
        seed_follow_ups(db, ws.id, 400, days=30, seed=3)
        db.commit()
        total_open = db.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.workspace_id == ws.id, FollowUp.state == "open")
        )
        seeded_changes = db.scalar(
            select(func.count())
            .select_from(Change)
            .where(Change.workspace_id == ws.id, Change.entity == "follow_up")
        )
    assert seeded_changes == 400
    owner = ws.client("owner")
    assert items(owner)["count"] == 400
    opened = items(owner, state="open", limit=200)
    assert opened["count"] == total_open
    assert all(i["state"] == "open" for i in opened["data"])
    # Newest first, and pages join without gaps or repeats.
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 70, "kind": ["invoice_paid", "quote_approved"]}
        if cursor:
            params["cursor"] = cursor
        page = items(owner, **params)
        seen += [i["id"] for i in page["data"]]
        assert all(i["kind"] in ("invoice_paid", "quote_approved") for i in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == page["count"]
    nobody = items(owner, assignee="none", limit=200)
    assert all(i["assignee_id"] is None for i in nobody["data"]) and nobody["count"] > 0
    mine = items(owner, assignee="me")
    assert all(i["assignee_id"] == _me(server, ws, "owner") for i in mine["data"])
    found = items(owner, q="boiler BANGING")
    assert found["count"] > 0
    assert all("boiler makes a banging" in i["title"].lower() for i in found["data"])
    assert items(owner, q="no-such-words-anywhere")["count"] == 0
    recent = items(owner, since=(utcnow() - timedelta(days=3)).isoformat(), limit=200)
    assert 0 < recent["count"] < 400


def test_bad_filters_answer_422_naming_the_field(ws: TestWorkspace) -> None:
    owner = ws.client("owner")
    for params, field in (
        ({"cursor": "nonsense"}, "cursor"),
        ({"cursor": "12"}, "cursor"),
        ({"assignee": "someone"}, "assignee"),
        ({"kind": "party"}, "kind"),
        ({"state": "maybe"}, "state"),
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no zone
    ):
        r = owner.get("/api/v1/follow-ups", params=params)
        assert r.status_code == 422, (params, r.text)
        assert any(k.split(".")[0] == field for k in r.json()["errors"]), r.json()
    now = utcnow()
    r = owner.get(
        "/api/v1/follow-ups",
        params={"since": now.isoformat(), "until": (now - timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 422 and "since" in r.json()["errors"]
    assert owner.get("/api/v1/follow-ups/999999999").status_code == 404


def test_another_workspace_sees_none_of_the_items(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer, customer_browser: Browser
) -> None:
    from tests.support.workspaces import make_workspace

    assert approve(customer_browser, portal_customer.ids["quote"]).status_code == 303
    (item,) = items(ws.client("owner"))["data"]
    other = make_workspace(server.sessionmaker, server.url)
    try:
        client = other.client("owner")
        assert items(client)["count"] == 0
        assert client.get(f"/api/v1/follow-ups/{item['id']}").status_code == 404
        r = client.patch(
            f"/api/v1/follow-ups/{item['id']}",
            json={"state": "done", "note": "not mine"},
            headers={"If-Match": f'"{item["version"]}"'},
        )
        assert r.status_code == 404
    finally:
        other.close()


def test_a_common_word_counts_up_to_the_cap(
    server: Server, ws: TestWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.domain import follow_up_inbox
    from tests.server.portal.fixtures import make_customer

    make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    with server.sessionmaker() as db:
        seed_follow_ups(db, ws.id, 300, days=30, seed=4)
        db.commit()
    owner = ws.client("owner")
    exact = items(owner, q="paid")
    assert 20 < exact["count"] < 300 and exact["count_capped"] is False
    monkeypatch.setattr(follow_up_inbox, "COUNT_CAP", 20)
    monkeypatch.setattr(follow_up_inbox, "COMMON", 5)  # SQLite: "paid" is now a common word
    capped = items(owner, q="paid", limit=200)
    assert capped["count"] == 20 and capped["count_capped"] is True
    # The page itself is not cut short: every match is there, newest first.
    assert len(capped["data"]) == exact["count"]
    assert all("paid" in i["title"].lower() for i in capped["data"])
    rare = items(owner, q="zzqx")
    assert rare["count"] == 0 and rare["count_capped"] is False
    # One or two letters alone do not search (they only narrow a longer word's search).
    assert items(owner, q="jo")["count"] == 300
    both = items(owner, q="paid zz")
    assert both["count"] == 0
