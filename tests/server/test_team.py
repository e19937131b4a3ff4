"""``/api/v1/team``: members, roles, switching off, and role permissions under If-Match."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from server.db.models import AuditEvent, Change, StaffUser
from tests.server.conftest import Server
from tests.support.workspaces import PASSWORD, TestWorkspace, make_workspace


def _members(c: httpx.Client) -> dict[str, dict[str, object]]:
    r = c.get("/api/v1/team")
    assert r.status_code == 200, r.text
    return {str(m["email"]): m for m in r.json()["data"]}


def test_list_shows_the_team_with_roles(ws: TestWorkspace) -> None:
    r = ws.client("owner").get("/api/v1/team")
    body = r.json()
    assert body["count"] == 3 and body["next_cursor"] is None
    assert {m["role"] for m in body["data"]} == {"owner", "manager", "dispatcher"}
    page = ws.client("owner").get("/api/v1/team", params={"limit": 2}).json()
    assert len(page["data"]) == 2 and page["next_cursor"]
    rest = ws.client("owner").get("/api/v1/team", params={"cursor": page["next_cursor"]}).json()
    assert len(rest["data"]) == 1
    assert ws.client("owner").get("/api/v1/team", params={"cursor": "x"}).status_code == 422


def test_add_member_who_can_then_sign_in(
    server: Server, ws: TestWorkspace, anon: httpx.Client
) -> None:
    email = f"new.person@{ws.slug}.example.com"
    body = {"email": email, "name": "New Person", "role": "dispatcher", "password": PASSWORD}
    r = ws.client("owner").post("/api/v1/team", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "dispatcher" and r.json()["active"] is True
    assert "password" not in r.json()
    signed = anon.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 200
    again = ws.client("owner").post("/api/v1/team", json=body)
    assert again.status_code == 409
    with server.sessionmaker() as s:
        events = list(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
        change = s.scalar(
            select(Change).where(
                Change.workspace_id == ws.id,
                Change.entity == "team",
                Change.entity_id == r.json()["id"],
            )
        )
    assert "team.member_added" in events and change is not None


def test_bad_new_members(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    base = {
        "email": f"x@{ws.slug}.example.com",
        "name": "X",
        "role": "manager",
        "password": PASSWORD,
    }
    for change, field in [
        ({"role": "admin"}, "role"),
        ({"password": "short"}, "password"),
        ({"email": "no-at-sign"}, "email"),
        ({"is_active": False}, "is_active"),
    ]:
        r = c.post("/api/v1/team", json={**base, **change})
        assert r.status_code == 422, (change, r.text)
        assert field in r.json()["errors"], r.json()
    assert len(_members(c)) == 3


def test_switch_off_ends_sessions_and_role_change(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    mid = _members(c)[ws.emails["dispatcher"]]["id"]
    r = c.patch(f"/api/v1/team/{mid}", json={"role": "manager"})
    assert r.status_code == 200 and r.json()["role"] == "manager"
    me = ws.client("dispatcher").get("/api/v1/auth/me").json()
    assert "review_files" in me["permissions"]
    r = c.patch(f"/api/v1/team/{mid}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert ws.client("dispatcher").get("/api/v1/auth/me").status_code == 401


def test_last_owner_stays(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    members = _members(c)
    owner_id = members[ws.emails["owner"]]["id"]
    for patch in ({"role": "manager"}, {"active": False}):
        r = c.patch(f"/api/v1/team/{owner_id}", json=patch)
        assert r.status_code == 409, r.text
        assert "last active owner" in r.json()["detail"]
    mid = members[ws.emails["manager"]]["id"]
    assert c.patch(f"/api/v1/team/{mid}", json={"role": "owner"}).status_code == 200
    assert c.patch(f"/api/v1/team/{owner_id}", json={"role": "manager"}).status_code == 200
    with server.sessionmaker() as s:
        assert s.get_one(StaffUser, owner_id).role == "manager"


def test_other_workspace_member_is_not_found(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    foreign = _members(other.client("owner"))[other.emails["dispatcher"]]["id"]
    c = ws.client("owner")
    r = c.patch(f"/api/v1/team/{foreign}", json={"active": False})
    missing = c.patch("/api/v1/team/987654321", json={"active": False})
    assert r.status_code == missing.status_code == 404
    assert r.json()["detail"] == missing.json()["detail"]
    assert other.client("dispatcher").get("/api/v1/auth/me").status_code == 200
    huge = c.patch("/api/v1/team/99999999999999999999", json={"active": False})
    assert huge.status_code == 422 and "member_id" in huge.json()["errors"]
    other.close()


def test_permissions_roundtrip_with_floor(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    r = c.get("/api/v1/team/permissions")
    assert r.status_code == 200
    tag = r.headers["etag"]
    assert "bulk_invite" not in r.json()["roles"]["dispatcher"]
    new = {"dispatcher": [*r.json()["roles"]["dispatcher"], "bulk_invite"], "owner": ["preview"]}
    assert c.put("/api/v1/team/permissions", json={"roles": new}).status_code == 428
    r = c.put("/api/v1/team/permissions", json={"roles": new}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    assert "bulk_invite" in r.json()["roles"]["dispatcher"]
    assert set(r.json()["roles"]["owner"]) == {"preview", "manage_team", "edit_workspace"}
    assert r.headers["etag"] != tag
    assert "bulk_invite" in ws.client("dispatcher").get("/api/v1/auth/me").json()["permissions"]
    stale = c.put("/api/v1/team/permissions", json={"roles": new}, headers={"If-Match": tag})
    assert stale.status_code == 412
    with server.sessionmaker() as s:
        events = list(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
    assert events.count("team.permissions_changed") == 1


def test_unknown_permissions_and_roles_are_named(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = c.get("/api/v1/team/permissions").headers["etag"]
    r = c.put(
        "/api/v1/team/permissions",
        json={"roles": {"dispatcher": ["invite", "launch_rockets"], "intern": []}},
        headers={"If-Match": tag},
    )
    assert r.status_code == 422
    assert "launch_rockets" in r.json()["errors"]["roles.dispatcher"]
    assert "Unknown role" in r.json()["errors"]["roles.intern"]
    assert c.get("/api/v1/team/permissions").headers["etag"] == tag


def test_only_team_managers(ws: TestWorkspace) -> None:
    for role in ("manager", "dispatcher"):
        c = ws.client(role)
        assert c.get("/api/v1/team").status_code == 403
        r = c.post(
            "/api/v1/team",
            json={"email": "a@b.example", "name": "A", "role": "owner", "password": PASSWORD},
        )
        assert r.status_code == 403 and "manage team" in r.json()["detail"]
        assert c.get("/api/v1/team/permissions").status_code == 403
