"""The audit trail, by workspace and by customer."""

from __future__ import annotations

from tests.server.conftest import Server
from tests.support.customers import add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def test_workspace_and_customer_trails(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    a = add_customer(f, ws.id, "Ann Able", [("Ann", "ann@example.com", None)])
    b = add_customer(f, ws.id, "Ben Baker", [("Ben", "ben@example.com", None)])
    c = ws.client("dispatcher")
    for cid in (a.contact_ids[0], b.contact_ids[0]):
        assert c.post(f"/api/v1/contacts/{cid}/portal-invite").status_code == 201
    c.post(f"/api/v1/contacts/{a.contact_ids[0]}/portal-invite/revoke")
    other = make_workspace(f, server.url)
    try:
        o = add_customer(f, other.id, "Other Co", [("O", "o@example.com", None)])
        other.client("owner").post(f"/api/v1/contacts/{o.contact_ids[0]}/portal-invite")
    finally:
        other.close()

    r = c.get("/api/v1/audit")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 3
    assert [e["action"] for e in body["data"]] == [
        "portal.invite_revoked",
        "portal.invite_sent",
        "portal.invite_sent",
    ]
    assert body["data"][0]["customer_name"] == "Ann Able"
    assert body["data"][0]["actor_name"] == "Dispatcher"

    page1 = c.get("/api/v1/audit", params={"limit": 2}).json()
    page2 = c.get("/api/v1/audit", params={"limit": 2, "cursor": page1["next_cursor"]}).json()
    assert len(page1["data"]) == 2 and len(page2["data"]) == 1 and page2["next_cursor"] is None
    ids = [e["id"] for e in page1["data"] + page2["data"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3

    sent = c.get("/api/v1/audit", params={"action": "portal.invite_sent"}).json()
    assert sent["count"] == 2
    assert c.get("/api/v1/audit", params={"action": "portal."}).json()["count"] == 3

    mine = c.get(f"/api/v1/customers/{a.customer_id}/audit").json()
    assert [e["action"] for e in mine["data"]] == ["portal.invite_revoked", "portal.invite_sent"]


def test_bad_inputs(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("dispatcher")
    r = c.get("/api/v1/audit", params={"cursor": "abc"})
    assert r.status_code == 422 and "cursor" in r.json()["errors"]
    assert c.get("/api/v1/customers/999999999/audit").status_code == 404
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["view_customers"])
    r = c.get("/api/v1/audit")
    assert r.status_code == 403 and "view audit" in r.json()["detail"]
