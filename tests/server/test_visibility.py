"""``/api/v1/visibility-policy``: draft, publish, discard; only names that exist."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from server.db.models import AuditEvent, Change, Workspace
from server.wire.visibility import FIELDS, SECTIONS
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace


def _etag(c: httpx.Client) -> str:
    r = c.get("/api/v1/visibility-policy")
    assert r.status_code == 200, r.text
    return r.headers["etag"]


def test_defaults_are_complete(ws: TestWorkspace) -> None:
    r = ws.client("dispatcher").get("/api/v1/visibility-policy")
    assert r.status_code == 200
    pub = r.json()["published"]
    assert set(pub["sections"]) == set(SECTIONS)
    assert pub["fields"]["jobs"]["internal_notes"] is False
    assert r.json()["draft"] is None


def test_partial_draft_is_completed_then_published(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("manager")
    draft = {"sections": {"photos": False}, "fields": {"invoices": {"payments": False}}}
    r = c.put("/api/v1/visibility-policy/draft", json=draft, headers={"If-Match": _etag(c)})
    assert r.status_code == 200, r.text
    got = r.json()["draft"]
    assert got["sections"]["photos"] is False and got["sections"]["jobs"] is True
    assert set(got["fields"]["jobs"]) == set(FIELDS["jobs"])
    assert r.json()["published"]["sections"]["photos"] is True
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    assert r.json()["published"]["fields"]["invoices"]["payments"] is False
    assert r.json()["draft"] is None
    with server.sessionmaker() as s:
        assert s.get_one(Workspace, ws.id).visibility["sections"]["photos"] is False
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
        change = s.scalar(
            select(Change).where(Change.workspace_id == ws.id, Change.entity == "visibility")
        )
    assert {"visibility.draft_saved", "visibility.published"} <= actions
    assert change is not None


def test_unknown_names_are_refused_by_name(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    cases = [
        ({"sections": {"secrets": True}}, "secrets"),
        ({"fields": {"jobs": {"profit_margin": True}}}, "profit_margin"),
        ({"fields": {"payroll": {"x": True}}}, "payroll"),
        ({"actions": {"delete_account": True}}, "delete_account"),
        ({"status_labels": {"teleported": "Beamed"}}, "teleported"),
        ({"status_labels": {"new": ""}}, "new"),
        ({"colour": "blue"}, "colour"),
    ]
    for body, name in cases:
        r = c.put("/api/v1/visibility-policy/draft", json=body, headers={"If-Match": tag})
        assert r.status_code == 422, (body, r.text)
        assert name in str(r.json()["errors"]), (body, r.json())
    assert _etag(c) == tag


def test_concurrency_and_permissions(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    tag = _etag(c)
    body = {"sections": {"quotes": False}}
    assert c.put("/api/v1/visibility-policy/draft", json=body).status_code == 428
    assert c.post("/api/v1/visibility-policy/publish").status_code == 428
    assert c.delete("/api/v1/visibility-policy/draft").status_code == 428
    r = c.put("/api/v1/visibility-policy/draft", json=body, headers={"If-Match": tag})
    assert r.status_code == 200
    new = r.headers["etag"]
    d = ws.client("dispatcher")
    assert d.post("/api/v1/visibility-policy/publish", headers={"If-Match": new}).status_code == 403
    assert d.delete("/api/v1/visibility-policy/draft", headers={"If-Match": new}).status_code == 403
    assert c.post("/api/v1/visibility-policy/publish", headers={"If-Match": tag}).status_code == 412
    assert c.delete("/api/v1/visibility-policy/draft", headers={"If-Match": tag}).status_code == 412
    with server.sessionmaker() as s:
        row = s.get_one(Workspace, ws.id)
        assert row.visibility_draft is not None and row.visibility == {}
    r = c.delete("/api/v1/visibility-policy/draft", headers={"If-Match": new})
    assert r.status_code == 200 and r.json()["draft"] is None
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 409
