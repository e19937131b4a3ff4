"""``/api/v1/rollout``: the readiness checklist, going live with open items, pilot groups."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import AuditEvent, Invite, Job, OutboxEmail, Quote, Workspace
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def _readiness(c: httpx.Client) -> dict[str, dict[str, object]]:
    r = c.get("/api/v1/rollout/readiness")
    assert r.status_code == 200, r.text
    return {str(i["key"]): i for i in r.json()["items"]}


def _jobs(server: Server, ws_id: int, customer_id: int, ages_days: list[int]) -> None:
    now = utcnow()
    with server.sessionmaker() as s:
        for n, age in enumerate(ages_days):
            s.add(
                Job(
                    workspace_id=ws_id,
                    customer_id=customer_id,
                    number=f"J-{customer_id}-{n}",
                    title="Boiler service",
                    internal_status="completed",
                    completed_at=now - timedelta(days=age),
                )
            )
        s.commit()


def _make_ready(server: Server, ws: TestWorkspace) -> None:
    """Publish a visibility policy, complete the branding, confirm the permission table."""
    m = ws.client("manager")
    tag = m.get("/api/v1/visibility-policy").headers["etag"]
    r = m.put("/api/v1/visibility-policy/draft", json={}, headers={"If-Match": tag})
    r = m.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        assert row is not None
        row.branding = {"brand_name": "Acme Heating", "logo_file_id": 1, "phone": "555 0100"}
        s.commit()
    o = ws.client("owner")
    perms = o.get("/api/v1/team/permissions")
    roles = dict(perms.json()["roles"])
    roles["dispatcher"] = [p for p in roles["dispatcher"] if p != "disable"]
    r = o.put(
        "/api/v1/team/permissions",
        json={"roles": roles},
        headers={"If-Match": perms.headers["etag"]},
    )
    assert r.status_code == 200, r.text


def test_fresh_workspace_checklist_names_what_is_open(server: Server, ws: TestWorkspace) -> None:
    add_customer(server.sessionmaker, ws.id, "Ada Lovelace", [("Ada", "ada@example", None)])
    add_customer(server.sessionmaker, ws.id, "Bob Shared", [("Bob", "same@example.com", None)])
    add_customer(server.sessionmaker, ws.id, "Cy Shared", [("Cy", "same@example.com", None)])
    add_customer(server.sessionmaker, ws.id, "Di Noemail", [("Di", None, None)])
    c = ws.client("dispatcher")
    body = c.get("/api/v1/rollout/readiness").json()
    items = {i["key"]: i for i in body["items"]}
    assert list(items) == [
        "emails",
        "visibility",
        "payments",
        "branding",
        "team",
        "pilot",
        "preview",
    ]
    assert body["open_blocking"] == ["emails", "visibility", "branding", "team"]
    # Counted as the clean-up shows them.
    report = c.get("/api/v1/email-hygiene").json()
    for section in ("invalid", "missing", "duplicated", "shared"):
        assert items["emails"]["numbers"][section] == report[section]["count"], section
    assert items["emails"]["numbers"]["invalid"] == 1 and items["emails"]["numbers"]["shared"] == 1
    assert items["emails"]["panel"] == "access" and not items["emails"]["ready"]
    assert "could send an invite to the wrong person" in items["emails"]["summary"]
    assert items["branding"]["panel"] == "branding" and "logo" in items["branding"]["summary"]
    assert items["team"]["numbers"]["members"] == 3
    assert "Everyone on the team" in items["team"]["summary"]
    assert items["payments"]["how"] and not items["payments"]["blocking"]
    assert items["pilot"]["summary"] == "No pilot group chosen yet."
    assert "Nobody has previewed" in items["preview"]["summary"]


def test_checklist_all_ready_after_the_work(server: Server, ws: TestWorkspace) -> None:
    _make_ready(server, ws)
    items = _readiness(ws.client("owner"))
    for key in ("emails", "visibility", "branding", "team"):
        assert items[key]["ready"], items[key]
    assert "Published by Manager" in str(items["visibility"]["details"])
    assert ws.client("owner").get("/api/v1/rollout/readiness").json()["open_blocking"] == []


def test_going_live_needs_each_open_item_acknowledged(server: Server) -> None:
    w = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    try:
        c = w.client("owner")
        tag = c.get("/api/v1/workspace").headers["etag"]
        r = c.patch(
            "/api/v1/workspace", json={"portal_status": "active"}, headers={"If-Match": tag}
        )
        assert r.status_code == 409
        assert "What customers see decided" in r.json()["detail"]
        assert r.json()["errors"]["acknowledged_open_items"] == "visibility, branding, team"
        partial = c.patch(
            "/api/v1/workspace",
            json={"portal_status": "active", "acknowledged_open_items": ["visibility"]},
            headers={"If-Match": tag},
        )
        assert partial.status_code == 409 and "Branding complete" in partial.json()["detail"]
        assert "What customers see" not in partial.json()["detail"]
        unknown = c.patch(
            "/api/v1/workspace",
            json={"portal_status": "active", "acknowledged_open_items": ["everything"]},
            headers={"If-Match": tag},
        )
        assert unknown.status_code == 422
        # Nothing half-done: still coming soon, same version.
        after = c.get("/api/v1/workspace")
        assert after.json()["portal_status"] == "coming_soon" and after.headers["etag"] == tag
        ok = c.patch(
            "/api/v1/workspace",
            json={
                "portal_status": "active",
                "acknowledged_open_items": ["visibility", "branding", "team"],
            },
            headers={"If-Match": tag},
        )
        assert ok.status_code == 200 and ok.json()["portal_status"] == "active"
        back = c.patch(
            "/api/v1/workspace",
            json={"portal_status": "coming_soon"},
            headers={"If-Match": ok.headers["etag"]},
        )
        assert back.status_code == 200
        with server.sessionmaker() as s:
            live = s.scalar(
                select(AuditEvent).where(
                    AuditEvent.workspace_id == w.id,
                    AuditEvent.action == "workspace.portal_activated",
                )
            )
        assert live is not None
        assert live.detail["acknowledged_open_items"] == ["visibility", "branding", "team"]
    finally:
        w.close()


def test_going_live_when_ready_needs_no_acknowledgement(server: Server) -> None:
    w = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    try:
        _make_ready(server, w)
        c = w.client("owner")
        tag = c.get("/api/v1/workspace").headers["etag"]
        r = c.patch(
            "/api/v1/workspace", json={"portal_status": "active"}, headers={"If-Match": tag}
        )
        assert r.status_code == 200, r.text
    finally:
        w.close()


def _pilot_customers(server: Server, ws: TestWorkspace) -> dict[str, int]:
    made = {}
    for name, ages in [
        ("Regular Rita", [10, 40, 90]),
        ("Twice Tom", [20, 200]),
        ("Once Olga", [30]),
        ("Old Otto", [900, 950]),
    ]:
        first = name.split()[1].lower()
        m = add_customer(server.sessionmaker, ws.id, name, [(name, f"{first}@example.com", None)])
        _jobs(server, ws.id, m.customer_id, ages)
        made[name] = m.customer_id
    return made


def test_pilot_rule_matching_nobody_or_everyone_is_refused(
    server: Server, ws: TestWorkspace
) -> None:
    _pilot_customers(server, ws)
    c = ws.client("owner")
    nobody = c.post("/api/v1/rollout/pilot-match", json={"months": 1, "min_jobs": 5}).json()
    assert nobody["matched"] == 0 and "matches no customers" in nobody["problem"]
    everyone = c.post("/api/v1/rollout/pilot-match", json={"months": 120, "min_jobs": 1}).json()
    assert everyone["matched"] == 4 and "every one of your 4 customers" in everyone["problem"]
    capped = c.post(
        "/api/v1/rollout/pilot-match", json={"months": 120, "min_jobs": 1, "size": 2}
    ).json()
    assert capped["problem"] is None
    for rule in ({"months": 1, "min_jobs": 5}, {"months": 120, "min_jobs": 1}):
        r = c.post("/api/v1/rollout/groups", json={"name": "Pilot", "rule": rule})
        assert r.status_code == 422 and "rule" in r.json()["errors"]
    bad = c.post("/api/v1/rollout/pilot-match", json={"months": 0})
    assert bad.status_code == 422 and "months" in bad.json()["errors"]
    assert c.get("/api/v1/rollout/groups").json() == []


def test_pilot_group_saved_invited_in_batches_and_followed(
    server: Server, ws: TestWorkspace
) -> None:
    made = _pilot_customers(server, ws)
    c = ws.client("owner")
    rule = {"months": 12, "min_jobs": 2}
    match = c.post("/api/v1/rollout/pilot-match", json=rule).json()
    assert match["matched"] == 2 and match["sample"] == ["Regular Rita", "Twice Tom"]
    r = c.post("/api/v1/rollout/groups", json={"name": "Spring pilot", "rule": rule})
    assert r.status_code == 201, r.text
    group = r.json()
    assert group["size"] == 2 and group["batch_invited"] == 0
    assert group["created_by"] == "Owner" and group["funnel"]["invited"] == 0
    same = c.post("/api/v1/rollout/groups", json={"name": "spring PILOT", "rule": rule})
    assert same.status_code == 409 and "already a group" in same.json()["detail"]
    first = c.post(f"/api/v1/rollout/groups/{group['id']}/invite-batch", json={"size": 1})
    assert first.status_code == 200, first.text
    assert first.json()["counts"] == {"invited": 1} and first.json()["remaining"] == 1
    second = c.post(f"/api/v1/rollout/groups/{group['id']}/invite-batch", json={"size": 25})
    assert second.json()["remaining"] == 0
    done = c.post(f"/api/v1/rollout/groups/{group['id']}/invite-batch", json={"size": 25})
    assert done.status_code == 409 and "already" in done.json()["detail"]
    # The group keeps following its members although "not invited" no longer matches them.
    with server.sessionmaker() as s:
        quote = Quote(
            workspace_id=ws.id,
            customer_id=made["Regular Rita"],
            number="Q-1",
            title="New boiler",
            status="approved",
            decided_by_contact_id=1,
        )
        s.add(quote)
        s.commit()
        invites = s.scalar(
            select(func.count()).select_from(Invite).where(Invite.workspace_id == ws.id)
        )
        mails = s.scalar(
            select(func.count()).select_from(OutboxEmail).where(OutboxEmail.workspace_id == ws.id)
        )
    assert invites == 2 and mails == 2
    groups = c.get("/api/v1/rollout/groups").json()
    assert groups[0]["batch_invited"] == 2 and groups[0]["funnel"] is None
    followed = c.get("/api/v1/rollout/adoption", params={"group_id": group["id"]}).json()
    assert followed["funnel"] == {
        "customers": 2,
        "invited": 2,
        "accepted": 0,
        "signed_in": 0,
        "acted": 1,
    }
    mine = c.get("/api/v1/rollout/adoption", params={"group_id": group["id"]}).json()
    assert mine["funnel"]["invited"] == 2 and mine["weeks"][-1]["invited"] == 2
    everyone = c.get("/api/v1/rollout/adoption").json()
    assert everyone["funnel"]["customers"] == 4 and everyone["group_id"] is None
    items = _readiness(c)
    assert items["pilot"]["ready"] and items["pilot"]["numbers"]["invited"] == 2


def test_pilot_permissions_and_other_workspaces(server: Server, ws: TestWorkspace) -> None:
    _pilot_customers(server, ws)
    rule = {"months": 12, "min_jobs": 2}
    d = ws.client("dispatcher")
    r = d.post("/api/v1/rollout/pilot-match", json=rule)
    assert r.status_code == 403 and "bulk invite" in r.json()["detail"]
    assert d.post("/api/v1/rollout/groups", json={"name": "X", "rule": rule}).status_code == 403
    gid = ws.client("owner").post("/api/v1/rollout/groups", json={"name": "X", "rule": rule})
    other = make_workspace(server.sessionmaker, server.url)
    try:
        o = other.client("owner")
        path = f"/api/v1/rollout/groups/{gid.json()['id']}/invite-batch"
        assert o.post(path, json={"size": 5}).status_code == 404
        adoption = o.get("/api/v1/rollout/adoption", params={"group_id": gid.json()["id"]})
        assert adoption.status_code == 404
    finally:
        other.close()
