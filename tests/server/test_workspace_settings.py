"""``/api/v1/workspace``: name, slug and portal status under optimistic concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from server.db.models import AuditEvent, Change, Workspace
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace, make_workspace


def _get(c: httpx.Client) -> tuple[dict[str, object], str]:
    r = c.get("/api/v1/workspace")
    assert r.status_code == 200, r.text
    return r.json(), r.headers["etag"]


def test_read_gives_version_as_etag(ws: TestWorkspace) -> None:
    body, tag = _get(ws.client("dispatcher"))
    assert body["slug"] == ws.slug and body["portal_status"] == "active"
    assert tag == f'"{body["version"]}"'
    assert str(body["portal_url"]).endswith(f"/p/{ws.slug}/")


def test_rename_bumps_version_audits_and_records_change(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    before, tag = _get(c)
    r = c.patch("/api/v1/workspace", json={"name": "Smith Plumbing"}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Smith Plumbing"
    assert r.json()["version"] == int(str(before["version"])) + 1
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    with server.sessionmaker() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id))
        assert "workspace.updated" in list(actions)
        change = s.scalar(
            select(Change).where(Change.workspace_id == ws.id, Change.entity == "workspace")
        )
        assert change is not None and change.entity_id == ws.id


def test_missing_and_stale_if_match(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    r = c.patch("/api/v1/workspace", json={"name": "No header"})
    assert r.status_code == 428
    assert "If-Match" in r.json()["detail"]
    assert c.patch(
        "/api/v1/workspace", json={"name": "First"}, headers={"If-Match": tag}
    ).is_success
    r = c.patch("/api/v1/workspace", json={"name": "Second"}, headers={"If-Match": tag})
    assert r.status_code == 412
    assert "Reload" in r.json()["detail"]
    with server.sessionmaker() as s:
        assert s.get_one(Workspace, ws.id).name == "First"


def test_weak_and_listed_etags_match(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    r = c.patch("/api/v1/workspace", json={"name": "Weak"}, headers={"If-Match": f'"999", W/{tag}'})
    assert r.status_code == 200, r.text


def test_bad_slugs_are_refused(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    for slug, words in [
        ("Has Spaces", "lower-case"),
        ("-edge", "lower-case"),
        ("ab", "lower-case"),
        ("a--b", "two hyphens"),
        ("admin", "reserved"),
        ("x" * 64, "characters"),
    ]:
        r = c.patch("/api/v1/workspace", json={"slug": slug}, headers={"If-Match": tag})
        assert r.status_code == 422, (slug, r.text)
        assert words in (r.json()["errors"].get("slug") or ""), (slug, r.json())
    with server.sessionmaker() as s:
        row = s.get_one(Workspace, ws.id)
        assert row.slug == ws.slug and f'"{row.version}"' == tag


def test_taken_slug_is_a_conflict(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    c = ws.client("owner")
    _, tag = _get(c)
    r = c.patch(
        "/api/v1/workspace",
        json={"slug": other.slug, "name": "Should not stick"},
        headers={"If-Match": tag},
    )
    assert r.status_code == 409
    assert r.json()["errors"]["slug"] == "Already taken."
    body, _ = _get(c)
    assert body["slug"] == ws.slug and body["name"] != "Should not stick"
    other.close()


def test_new_slug_moves_portal(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    new = ws.slug + "-moved"
    r = c.patch("/api/v1/workspace", json={"slug": new}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    assert r.json()["portal_url"].endswith(f"/p/{new}/")
    assert c.get("/api/v1/auth/me").json()["workspace_slug"] == new


def test_owner_switches_portal_status_and_it_is_audited(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    r = c.patch(
        "/api/v1/workspace", json={"portal_status": "coming_soon"}, headers={"If-Match": tag}
    )
    assert r.status_code == 200 and r.json()["portal_status"] == "coming_soon"
    r = c.patch(
        "/api/v1/workspace",
        json={
            "portal_status": "active",
            "acknowledged_open_items": ["visibility", "branding", "team"],
        },
        headers={"If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["portal_status"] == "active"
    with server.sessionmaker() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
    assert "workspace.portal_deactivated" in actions and "workspace.portal_activated" in actions


def test_bad_status_unknown_field_and_roles(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    _, tag = _get(c)
    r = c.patch("/api/v1/workspace", json={"portal_status": "open"}, headers={"If-Match": tag})
    assert r.status_code == 422 and "portal_status" in r.json()["errors"]
    r = c.patch("/api/v1/workspace", json={"version": 99}, headers={"If-Match": tag})
    assert r.status_code == 422
    assert r.json()["errors"]["version"] == "This field is not accepted here."
    for role in ("manager", "dispatcher"):
        r = ws.client(role).patch(
            "/api/v1/workspace", json={"portal_status": "coming_soon"}, headers={"If-Match": tag}
        )
        assert r.status_code == 403, role
        assert "edit workspace" in r.json()["detail"]
    assert _get(c)[1] == tag


def test_unchanged_patch_keeps_version(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    body, tag = _get(c)
    r = c.patch("/api/v1/workspace", json={"name": body["name"]}, headers={"If-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] == tag


def test_simultaneous_writes_with_one_etag_let_exactly_one_through(
    server: Server, ws: TestWorkspace
) -> None:
    _, tag = _get(ws.client("owner"))

    def attempt(i: int) -> int:
        with httpx.Client(base_url=ws.base_url, timeout=30) as c:
            r = c.patch(
                "/api/v1/workspace",
                json={"name": f"Racer {i}"},
                headers={"If-Match": tag, "Authorization": f"Bearer {ws.tokens['owner']}"},
            )
            return r.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(attempt, range(6)))
    assert codes == [200, 412, 412, 412, 412, 412]
    with server.sessionmaker() as s:
        row = s.get_one(Workspace, ws.id)
        assert f'"{row.version}"' != tag and row.name.startswith("Racer ")
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.workspace_id == ws.id, AuditEvent.action == "workspace.updated"
            )
        )
        assert len(list(events)) == 1
