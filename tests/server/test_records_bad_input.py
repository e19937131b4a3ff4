"""Records API: malformed bodies, unknown fields, content types, ids and roles."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from server.db.models import Customer
from tests.server.conftest import Server
from tests.server.records_support import customer_body, put
from tests.support.workspaces import TestWorkspace

URL = "/api/v1/records/customers/C-1"


def _nothing_written(server: Server, ws: TestWorkspace) -> None:
    with server.sessionmaker() as s:
        assert s.scalar(select(Customer.id).where(Customer.workspace_id == ws.id)) is None


def test_malformed_json(server: Server, ws: TestWorkspace) -> None:
    r = ws.client().put(URL, content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"] == "The request body is not valid JSON."
    _nothing_written(server, ws)


def test_unknown_fields_are_refused(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    r = put(c, "customers", "C-1", customer_body(access_status="active"))
    assert r.status_code == 422
    assert r.json()["errors"]["access_status"] == "This field is not accepted here."
    body = customer_body()
    body["addresses"][0]["id"] = 5
    r = put(c, "customers", "C-1", body)
    assert r.status_code == 422 and "addresses.0.id" in r.json()["errors"]
    _nothing_written(server, ws)


def test_wrong_content_type(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    r = c.put(URL, content=b'{"name": "A"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/json" in r.json()["detail"]
    r = c.put(URL, data={"name": "A"})
    assert r.status_code == 415
    _nothing_written(server, ws)


def test_bad_values_and_ids(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    r = put(c, "customers", "C-1", customer_body(name="", kind="martian"))
    assert r.status_code == 422 and {"name", "kind"} <= set(r.json()["errors"])
    r = put(c, "customers", "bad id!", customer_body())
    assert r.status_code == 422 and "external_id" in r.json()["errors"]
    r = put(c, "customers", "x" * 101, customer_body())
    assert r.status_code == 422
    _nothing_written(server, ws)


def test_roles_and_tokens(server: Server, ws: TestWorkspace, anon: httpx.Client) -> None:
    r = put(ws.client("dispatcher"), "customers", "C-1", customer_body())
    assert r.status_code == 403 and "records" in r.json()["detail"]
    assert put(anon, "customers", "C-1", customer_body()).status_code == 401
    _nothing_written(server, ws)
    assert put(ws.client("manager"), "customers", "C-1", customer_body()).status_code == 201


def test_another_workspaces_records(server: Server, ws: TestWorkspace) -> None:
    from tests.support.workspaces import make_workspace

    other = make_workspace(server.sessionmaker, server.url)
    try:
        assert put(other.client(), "customers", "C-1", customer_body("Theirs")).status_code == 201
        # Same external id here is a different record: A's is untouched, B cannot delete it.
        assert put(ws.client(), "customers", "C-2", customer_body()).status_code == 201
        r = ws.client().delete(URL)
        assert r.status_code == 404
        r = put(
            ws.client(),
            "jobs",
            "J-1",
            {"customer_external_id": "C-1", "number": "1", "title": "t", "internal_status": "new"},
        )
        assert r.status_code == 422  # their customer does not exist here
        with server.sessionmaker() as s:
            theirs = s.scalars(select(Customer).where(Customer.workspace_id == other.id)).one()
            assert theirs.name == "Theirs"
    finally:
        other.close()
