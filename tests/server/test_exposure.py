"""The exposure check: what publishing a visibility draft would change, counted on real data."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from server.db.models import AuditEvent, Change, Workspace
from tests.server.conftest import Server
from tests.server.portal.fixtures import make_customer
from tests.support.workspaces import TestWorkspace


def _check(c: httpx.Client, body: object = None) -> httpx.Response:
    return c.post("/api/v1/visibility-policy/exposure", json={} if body is None else body)


def test_no_draft_changes_nothing(ws: TestWorkspace) -> None:
    r = _check(ws.client("dispatcher"))
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == [] and r.json()["has_draft"] is False
    assert r.json()["summary"] == "Publishing changes nothing customers see."


def test_counts_records_and_contacts_and_lists_them(server: Server, ws: TestWorkspace) -> None:
    a = make_customer(server.sessionmaker, ws.id, ws.slug)
    b = make_customer(server.sessionmaker, ws.id, ws.slug)
    live = {a.contact_id, b.contact_id}
    make_customer(server.sessionmaker, ws.id, ws.slug, status="disabled")
    make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    with server.sessionmaker() as db:
        changes_before = db.scalar(select(func.count()).select_from(Change))
        w = db.get(Workspace, ws.id)
        assert w is not None
        w.visibility_draft = {
            "fields": {
                "quotes": {"line_costs": True},
                "jobs": {"address": False, "internal_notes": False},
            },
            "actions": {"pay_invoices": False},
            "status_labels": {"scheduled": "Booked"},
        }
        db.commit()
    r = _check(ws.client("dispatcher"))
    assert r.status_code == 200, r.text
    body = r.json()
    by = {c["switch"]: c for c in body["changes"]}
    # internal notes were already hidden: not a change.
    assert set(by) == {
        "jobs.address",
        "quotes.line_costs",
        "action.pay_invoices",
        "status.scheduled",
    }
    prices = by["quotes.line_costs"]
    assert prices["becomes"] == "visible" and prices["records"] == 3
    assert prices["contacts"] == 2  # the disabled account sees nothing
    assert (
        "line prices on quotes" in prices["sentence"]
        and "3 quotes for 2 contacts" in prices["sentence"]
    )
    sample = prices["samples"][0]
    assert sample["kind"] == "quote" and sample["portal_path"] == f"/quotes/{sample['id']}"
    assert sample["contact_id"] in live and sample["customer_name"]
    assert by["jobs.address"]["becomes"] == "hidden" and by["jobs.address"]["contacts"] is None
    assert "hides job addresses for everyone" in by["jobs.address"]["sentence"]
    assert by["status.scheduled"]["becomes"] == "changed" and "'Booked'" in body["summary"]
    assert body["summary"].startswith("Publishing ") and body["has_draft"] is True
    with server.sessionmaker() as db:  # a check writes nothing
        assert db.scalar(select(func.count()).select_from(Change)) == changes_before
        # This workspace's trail: other tests on the shared server publish policies too.
        assert not db.scalars(
            select(AuditEvent).where(
                AuditEvent.workspace_id == ws.id, AuditEvent.action.like("visibility%")
            )
        ).all()


def test_unsaved_edits_are_checked_without_saving(server: Server, ws: TestWorkspace) -> None:
    make_customer(server.sessionmaker, ws.id, ws.slug)
    r = _check(ws.client("manager"), {"policy": {"sections": {"photos": False}}})
    assert r.status_code == 200, r.text
    (change,) = r.json()["changes"]
    assert change["switch"] == "section.photos" and change["records"] == 1
    assert ws.client("manager").get("/api/v1/visibility-policy").json()["draft"] is None


def test_bad_input(ws: TestWorkspace, anon: httpx.Client) -> None:
    c = ws.client("manager")
    for body in (
        {"policy": {"sections": {"secrets": True}}},
        {"policy": {"fields": {"jobs": {"ssn": True}}}},
        {"policy": {"status_labels": {"scheduled": ""}}},
        {"policy": "all"},
        {"other": 1},
    ):
        r = _check(c, body)
        assert r.status_code == 422 and r.json()["detail"], body
    assert c.post("/api/v1/visibility-policy/exposure", content=b"{").status_code == 422
    assert anon.post("/api/v1/visibility-policy/exposure", json={}).status_code == 401
