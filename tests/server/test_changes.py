"""The changes feed: snapshot, paging, tombstones, pruning and the 410 horizon."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from server.db.base import utcnow
from server.db.models import Change, Customer, Workspace
from server.domain.changes_feed import prune_tombstones
from server.domain.customer_summary import customer_row
from tests.server.conftest import Server
from tests.server.records_support import changes, contact_body, customer_body, put
from tests.support.workspaces import TestWorkspace, make_workspace


def _seed(c: httpx.Client, n: int) -> None:
    for i in range(n):
        assert put(c, "customers", f"C-{i}", customer_body(f"Customer {i}")).status_code == 201


def test_snapshot_customers_match_customer_row(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _seed(c, 3)
    put(c, "contacts", "P-1", contact_body("C-1"))
    page = changes(ws.client("dispatcher"))
    assert page["has_more"] is False and page["count"] == len(page["data"]) == 4
    seqs = [x["seq"] for x in page["data"]]
    assert seqs == sorted(seqs) and page["next_cursor"] == str(seqs[-1])
    with server.sessionmaker() as s:
        rows = s.scalars(select(Customer).where(Customer.workspace_id == ws.id)).all()
        expected = {r.id: customer_row(r).model_dump(mode="json") for r in rows}
    got = {x["id"]: x["data"] for x in page["data"] if x["entity"] == "customer"}
    assert got == expected
    contact = next(x for x in page["data"] if x["entity"] == "contact")
    assert contact["data"]["email"] == "hannah@example.com"
    assert contact["op"] == "upsert"


def test_paging_and_empty_page(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 5)
    seen: list[int] = []
    cursor = "0"
    while True:
        page = changes(c, cursor, limit=2)
        seen += [x["id"] for x in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert len(seen) == len(set(seen)) == 5
    empty = changes(c, cursor)
    assert empty == {"data": [], "count": 0, "next_cursor": cursor, "has_more": False}


def test_rewrite_moves_record_to_the_end(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 2)
    put(c, "customers", "C-0", customer_body("Renamed"))
    page = changes(c)
    assert page["count"] == 2  # one row per record, whatever its history
    assert page["data"][-1]["data"]["name"] == "Renamed"


def test_delete_is_a_tombstone(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 1)
    cursor = changes(c)["next_cursor"]
    c.delete("/api/v1/records/customers/C-0")
    page = changes(c, cursor)
    assert [(x["entity"], x["op"], x["data"]) for x in page["data"]] == [
        ("customer", "delete", None)
    ]


def test_prune_raises_horizon_and_old_cursor_gets_410(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 2)
    early = changes(c)["next_cursor"]
    c.delete("/api/v1/records/customers/C-0")
    tomb = changes(c, early)["data"][0]["seq"]
    with server.sessionmaker() as s:
        s.execute(
            update(Change)
            .where(Change.seq == tomb)
            .values(changed_at=utcnow() - timedelta(days=40))
        )
        assert prune_tombstones(s, utcnow() - timedelta(days=30)) >= 1
        s.commit()
        ws_row = s.get(Workspace, ws.id)
        assert ws_row is not None and ws_row.changes_horizon == tomb
        assert s.scalar(select(Change).where(Change.seq == tomb)) is None
    r = c.get("/api/v1/changes", params={"since": early})
    assert r.status_code == 410
    assert "since=0" in r.json()["detail"]
    assert changes(c, 0)["count"] == 1  # a fresh snapshot still works
    assert changes(c, tomb)["data"] == []  # a cursor at the horizon is fine


def test_prune_keeps_recent_tombstones_and_upserts(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 2)
    c.delete("/api/v1/records/customers/C-1")
    with server.sessionmaker() as s:
        s.execute(
            update(Change)
            .where(Change.workspace_id == ws.id, Change.op == "upsert")
            .values(changed_at=utcnow() - timedelta(days=90))
        )
        s.commit()
        prune_tombstones(s, utcnow() - timedelta(days=30))
        s.commit()
    ops = sorted(x["op"] for x in changes(c)["data"])
    assert ops == ["delete", "upsert"]


def test_bad_queries(server: Server, ws: TestWorkspace, anon: httpx.Client) -> None:
    c = ws.client()
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 5001}, "limit"),
        ({"since": "abc"}, "since"),
        ({"since": "-1"}, "since"),
    ):
        r = c.get("/api/v1/changes", params=params)
        assert r.status_code == 422, (params, r.text)
        assert field in r.json()["errors"], r.json()
    assert anon.get("/api/v1/changes").status_code == 401


def test_other_workspace_changes_are_invisible(server: Server, ws: TestWorkspace) -> None:
    _seed(ws.client(), 2)
    other = make_workspace(server.sessionmaker, server.url)
    try:
        assert changes(other.client())["data"] == []
    finally:
        other.close()


def test_job_and_invoice_compact_data(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 1)
    cursor = changes(c)["next_cursor"]
    job = {
        "customer_external_id": "C-0",
        "number": "J-100",
        "title": "Boiler service",
        "internal_status": "scheduled",
    }
    assert put(c, "jobs", "J-100", job).status_code == 201
    page = changes(c, cursor)
    assert page["data"][0]["entity"] == "job"
    assert page["data"][0]["data"]["title"] == "Boiler service"
    assert page["data"][0]["data"]["internal_status"] == "scheduled"


def test_customer_data_matches_for_every_access_state(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 5)
    now = utcnow()
    states = [
        ("invited", now + timedelta(days=3), None),  # invited
        ("invited", now - timedelta(days=1), None),  # invite_expired
        ("active", None, now + timedelta(minutes=10)),  # locked
        ("active", None, now - timedelta(minutes=10)),  # lock over: active
        ("disabled", None, None),
    ]
    with server.sessionmaker() as s:
        rows = s.scalars(
            select(Customer).where(Customer.workspace_id == ws.id).order_by(Customer.id)
        ).all()
        for row, (status, expires, locked) in zip(rows, states, strict=True):
            row.access_status, row.access_invite_expires_at, row.access_locked_until = (
                status,
                expires,
                locked,
            )
            row.last_sign_in_at = now.replace(microsecond=0)
        s.commit()
        expected = {r.id: customer_row(r).model_dump(mode="json") for r in rows}
    got = {x["id"]: x["data"] for x in changes(c)["data"]}
    assert got == expected
    shown = [got[r]["portal_status"] for r in sorted(got)]
    assert shown == ["invited", "invite_expired", "locked", "active", "disabled"]


def _prune_one_tombstone(server: Server, ws: TestWorkspace, c: httpx.Client, ext: str) -> int:
    before = changes(c, 0)
    c.delete(f"/api/v1/records/customers/{ext}")
    after = changes(c, 0)
    [tomb] = [x["seq"] for x in after["data"] if x["op"] == "delete"]
    assert tomb > max((x["seq"] for x in before["data"]), default=0)
    with server.sessionmaker() as s:
        s.execute(
            update(Change)
            .where(Change.seq == tomb)
            .values(changed_at=utcnow() - timedelta(days=40))
        )
        assert prune_tombstones(s, utcnow() - timedelta(days=30)) >= 1
        s.commit()
    return tomb


def test_full_copy_pages_past_the_horizon(server: Server, ws: TestWorkspace) -> None:
    # After pruning, live records keep their old (low) sequence numbers: a copy from 0 must
    # still be able to page through them, although its cursors are below the horizon.
    c = ws.client()
    _seed(c, 5)
    horizon = _prune_one_tombstone(server, ws, c, "C-4")
    seen: list[int] = []
    cursor: object = 0
    for _ in range(10):
        page = changes(c, cursor, limit=1)
        seen += [x["id"] for x in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert len(seen) == 4 and len(set(seen)) == 4
    # Caught up: a plain cursor at or above the horizon, valid for incremental reads.
    assert "." not in str(cursor) and int(str(cursor)) >= horizon
    assert changes(c, cursor)["data"] == []


def test_a_prune_during_a_copy_restarts_it(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 4)
    first = changes(c, 0, limit=1)
    assert first["has_more"] and "." in first["next_cursor"]
    _prune_one_tombstone(server, ws, c, "C-3")
    r = c.get("/api/v1/changes", params={"since": first["next_cursor"], "limit": 1})
    assert r.status_code == 410 and "since=0" in r.json()["detail"]


def test_malformed_copy_cursors(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    for bad in ("1.", ".1", "1.2.3", "1.x", "1 .2"):
        r = c.get("/api/v1/changes", params={"since": bad})
        assert r.status_code == 422, (bad, r.text)
        assert "since" in r.json()["errors"]


def test_headers_name_the_next_page(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    _seed(c, 3)
    cursor = "0"
    for expect_more in (True, False):
        answer = c.get("/api/v1/changes", params={"since": cursor, "limit": 2})
        page = answer.json()
        assert page["has_more"] is expect_more
        assert answer.headers["X-Next-Cursor"] == page["next_cursor"]
        assert answer.headers["X-Has-More"] == ("true" if expect_more else "false")
        cursor = page["next_cursor"]
    gone = c.get("/api/v1/changes", params={"since": "not-a-cursor"})
    assert gone.status_code == 422 and "X-Next-Cursor" not in gone.headers
