"""The policy and branding a page uses are parsed once and reused only while unchanged:
every change (published through the API or written straight to the row) shows at once."""

from __future__ import annotations

import httpx

from server.db.models import Workspace
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer
from tests.support.workspaces import TestWorkspace


def _publish(c: httpx.Client, policy: dict[str, object]) -> None:
    etag = c.get("/api/v1/visibility-policy").headers["etag"]
    r = c.put("/api/v1/visibility-policy/draft", json=policy, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text


def test_a_published_policy_applies_on_the_next_page(
    signed_in: Browser, customer: PortalCustomer, ws: TestWorkspace
) -> None:
    jobs_link = f'href="/p/{customer.slug}/jobs"'
    assert jobs_link in signed_in.get("/").text
    staff = ws.client("owner")
    _publish(staff, {"sections": {"jobs": False}})
    assert jobs_link not in signed_in.get("/").text
    assert signed_in.get("/jobs").status_code == 404
    _publish(staff, {"sections": {"jobs": True}})
    assert jobs_link in signed_in.get("/").text
    assert signed_in.get("/jobs").status_code == 200


def test_a_row_written_without_a_new_version_still_applies(
    signed_in: Browser, customer: PortalCustomer, server: Server, ws: TestWorkspace
) -> None:
    assert signed_in.get(f"/jobs/{customer.ids['job']}").status_code == 200
    with server.sessionmaker() as db:
        w = db.get_one(Workspace, ws.id)
        version = w.visibility_version
        w.visibility = {"sections": {"jobs": False}}
        db.commit()
    assert signed_in.get(f"/jobs/{customer.ids['job']}").status_code == 404
    with server.sessionmaker() as db:
        assert db.get_one(Workspace, ws.id).visibility_version == version


def test_default_branding_follows_the_workspace_name(
    signed_in: Browser, server: Server, ws: TestWorkspace
) -> None:
    with server.sessionmaker() as db:
        w = db.get_one(Workspace, ws.id)
        w.branding = {}
        w.name = "Alder Street Plumbing"
        db.commit()
    assert "Alder Street Plumbing" in signed_in.get("/").text
    with server.sessionmaker() as db:
        db.get_one(Workspace, ws.id).name = "Birch Lane Heating"
        db.commit()
    page = signed_in.get("/").text
    assert "Birch Lane Heating" in page and "Alder Street Plumbing" not in page
