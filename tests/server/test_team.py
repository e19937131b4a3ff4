"""``/api/v1/team``: members, roles, switching off, and role permissions under If-Match."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from server.db.models import AuditEvent, Change, OutboxEmail, StaffUser
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


def _join(
    anon: httpx.Client, url: str, password: str, confirm: str | None = None
) -> httpx.Response:
    """Open a staff invite link and submit the form as a browser would."""
    path = url.removeprefix(str(anon.base_url).rstrip("/"))
    page = anon.get(path)
    assert page.status_code == 200, page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return anon.post(
        path,
        data={"csrf_token": token, "password": password, "confirm": confirm or password},
        headers={"Origin": str(anon.base_url).rstrip("/")},
    )


def test_invited_member_chooses_own_password_then_signs_in(
    server: Server, ws: TestWorkspace, anon: httpx.Client
) -> None:
    email = f"new.person@{ws.slug}.example.com"
    body = {"email": email, "name": "New Person", "role": "dispatcher"}
    r = ws.client("owner").post("/api/v1/team", json=body)
    assert r.status_code == 201, r.text
    member, url = r.json()["member"], r.json()["invite_url"]
    assert member["role"] == "dispatcher" and member["status"] == "invited"
    assert member["active"] is False and "/staff/join/" in url
    # Not a member who can sign in until they chose a password themselves.
    assert anon.post("/api/v1/auth/token", json={"email": email, "password": ""}).status_code in (
        401,
        422,
    )
    # A form from another site, or without the form token, changes nothing.
    path = url.removeprefix(server.url)
    foreign = anon.post(
        path,
        data={"password": PASSWORD, "confirm": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    short = _join(anon, url, "short")
    assert short.status_code == 422 and "at least" in short.text
    differ = _join(anon, url, PASSWORD, PASSWORD + "x")
    assert differ.status_code == 422 and "not the same" in differ.text
    done = _join(anon, url, PASSWORD)
    assert done.status_code == 200 and "Your password is set" in done.text
    assert anon.get(path).status_code == 410  # single use
    signed = anon.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 200
    after = _members(ws.client("owner"))[email]
    assert after["status"] == "active" and after["last_active_at"]
    with server.sessionmaker() as s:
        events = list(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
        change = s.scalar(
            select(Change).where(
                Change.workspace_id == ws.id,
                Change.entity == "team",
                Change.entity_id == member["id"],
            )
        )
        mails = list(s.scalars(select(OutboxEmail.kind).where(OutboxEmail.workspace_id == ws.id)))
    assert "team.member_invited" in events and "team.invite_accepted" in events
    assert change is not None and "staff_invite" in mails


def test_member_already_in_the_team_and_resent_links(ws: TestWorkspace, anon: httpx.Client) -> None:
    c = ws.client("owner")
    again = c.post(
        "/api/v1/team", json={"email": ws.emails["manager"], "name": "M", "role": "manager"}
    )
    assert again.status_code == 409
    assert "already in your team as manager" in again.json()["detail"]
    email = f"later@{ws.slug}.example.com"
    first = c.post("/api/v1/team", json={"email": email, "name": "Later", "role": "manager"})
    twice = c.post("/api/v1/team", json={"email": email, "name": "Later", "role": "manager"})
    assert twice.status_code == 409 and "already invited" in twice.json()["detail"]
    mid = first.json()["member"]["id"]
    # Switching on someone who has not joined would give them no way to sign in.
    on = c.patch(f"/api/v1/team/{mid}", json={"active": True})
    assert on.status_code == 409 and "new invite link" in on.json()["detail"]
    fresh = c.post(f"/api/v1/team/{mid}/invite")
    assert fresh.status_code == 200, fresh.text
    old_path = first.json()["invite_url"].removeprefix(str(anon.base_url).rstrip("/"))
    assert anon.get(old_path).status_code == 410  # the newer link ends the older one
    done = _join(anon, fresh.json()["invite_url"], PASSWORD)
    assert done.status_code == 200
    joined = c.post(f"/api/v1/team/{mid}/invite")
    assert joined.status_code == 409 and "already chosen a password" in joined.json()["detail"]


def test_withdrawn_invite_link_stops_working(ws: TestWorkspace, anon: httpx.Client) -> None:
    c = ws.client("owner")
    email = f"gone@{ws.slug}.example.com"
    r = c.post("/api/v1/team", json={"email": email, "name": "Gone", "role": "dispatcher"})
    mid = r.json()["member"]["id"]
    off = c.patch(f"/api/v1/team/{mid}", json={"active": False})
    assert off.status_code == 200 and off.json()["status"] == "deactivated"
    path = r.json()["invite_url"].removeprefix(str(anon.base_url).rstrip("/"))
    assert anon.get(path).status_code == 410
    assert _members(c)[email]["status"] == "deactivated"


def test_bad_new_members(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    base = {"email": f"x@{ws.slug}.example.com", "name": "X", "role": "manager"}
    for change, field in [
        ({"role": "admin"}, "role"),
        ({"password": PASSWORD}, "password"),  # nobody sets another person's password
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
            json={"email": "a@b.example", "name": "A", "role": "owner"},
        )
        assert r.status_code == 403 and "manage team" in r.json()["detail"]
        assert c.get("/api/v1/team/permissions").status_code == 403
        # A role change by someone without the permission: refused, nothing changed.
        mid = _members(ws.client("owner"))[ws.emails["dispatcher"]]["id"]
        change = c.patch(f"/api/v1/team/{mid}", json={"role": "owner"})
        assert change.status_code == 403 and "manage team" in change.json()["detail"]
        assert c.post(f"/api/v1/team/{mid}/invite").status_code == 403
    assert _members(ws.client("owner"))[ws.emails["dispatcher"]]["role"] == "dispatcher"
