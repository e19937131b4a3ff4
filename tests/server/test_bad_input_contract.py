"""No input makes the server fail: ids no row can have, control characters, surprising types,
undeclared methods. Each answer is a 4xx with the JSON error body, and the server (and its
database connection) keeps answering afterwards.

Routes are read from the app itself, so a new route that takes an id is probed too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from tests.server.conftest import Server
from tests.server.records_support import contact_body, customer_body, put
from tests.support.workspaces import TestWorkspace

PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
HUGE_IDS = (  # just past the largest id; past 64 bits; past any machine word
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 40,
)
CHOICES = {"kind": "document", "external_id": "C-1", "slug": "-"}


def id_routes(server: Server, prefix: str) -> Iterator[tuple[str, str]]:
    for route in iter_route_contexts(server.app.routes):
        path = route.path or ""
        names = PARAM.findall(path)
        if path.startswith(prefix) and any(n.endswith("_id") and n != "external_id" for n in names):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, path


def fill(template: str, huge: str, slug: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return slug
        return CHOICES.get(name, huge)

    return PARAM.sub(value, template)


def _still_answers(c: httpx.Client) -> None:
    r = c.get("/api/v1/customers", params={"limit": 1})
    assert r.status_code == 200, r.text


def test_ids_past_the_largest_row_id_in_every_staff_path(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    routes = list(id_routes(server, "/api/v1"))
    assert len(routes) >= 15, routes
    bad: list[str] = []
    for method, template in routes:
        for huge in HUGE_IDS:
            url = fill(template, huge, ws.slug)
            r = c.request(method, url, json={}, headers={"If-Match": '"1"'})
            if r.status_code not in (404, 422) or "detail" not in r.json():
                bad.append(f"{method} {url}: {r.status_code} {r.text[:100]}")
    assert bad == []
    _still_answers(c)


def test_ids_past_the_largest_row_id_in_bodies_and_queries(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client()
    for huge in (2**63, 2**64, 10**40):
        r = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": [huge], "dry_run": True})
        assert r.status_code == 422 and "contact_ids.0" in r.json()["errors"], r.text
        r = c.post("/api/v1/previews", json={"contact_id": huge})
        assert r.status_code == 422 and "contact_id" in r.json()["errors"], r.text
        r = c.get("/api/v1/files", params={"customer_id": huge, "status": "pending"})
        assert r.status_code == 422, r.text
    # Cursors are read as numbers too: past the range, or digits of another script.
    for cursor in ("9999999999999999999", "²", "١٢"):
        for url in ("/api/v1/audit", "/api/v1/outbox", "/api/v1/team"):
            r = c.get(url, params={"cursor": cursor})
            assert r.status_code == 422, (url, cursor, r.text)
        r = c.get("/api/v1/changes", params={"since": cursor})
        assert r.status_code == 422, r.text
        r = c.get("/api/v1/records/activity", params={"since": cursor})
        assert r.status_code == 422, r.text
    _still_answers(c)


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "line\x1bescape", "del\x7f"])
def test_control_characters_in_queries_are_refused(ws: TestWorkspace, text: str) -> None:
    c = ws.client()
    r = c.get("/api/v1/customers", params={"q": text})
    assert r.status_code == 422 and "q" in r.json()["errors"], r.text
    r = c.get("/api/v1/audit", params={"action": text})
    assert r.status_code == 422 and "action" in r.json()["errors"], r.text
    r = c.get("/api/v1/customers", params={"cursor": text})
    assert r.status_code == 422, r.text
    _still_answers(c)


def test_control_characters_in_bodies_are_refused(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    r = put(c, "customers", "C-1", customer_body(name="Hannah\x00Okafor"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == {"name": "Text may not contain control characters."}
    body = customer_body()
    body["addresses"][0]["line1"] = "1 Main\x00St"
    r = put(c, "customers", "C-1", body)
    assert r.status_code == 422 and "addresses.0.line1" in r.json()["errors"], r.text
    r = c.post(
        "/api/v1/portal-invites/bulk",
        json={"selection": {"q": "a\x00"}, "dry_run": True},
    )
    assert r.status_code == 422 and "selection.q" in r.json()["errors"], r.text
    # Tabs and line breaks are text, not control: a note may hold them.
    r = put(c, "customers", "C-1", customer_body(notes="Gate code:\t1234\r\nRing twice"))
    assert r.status_code == 201, r.text
    _still_answers(c)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contact_ids": [False], "dry_run": True}, "contact_ids.0"),
        ({"contact_ids": [True], "dry_run": True}, "contact_ids.0"),
        ({"contact_ids": ["5"], "dry_run": True}, "contact_ids.0"),
        ({"contact_ids": [5.0], "dry_run": True}, "contact_ids.0"),
        ({"contact_ids": [0], "dry_run": True}, "contact_ids.0"),
        ({"contact_ids": [1], "dry_run": "yes"}, "dry_run"),
        ({"contact_ids": [1], "dry_run": 0}, "dry_run"),
    ],
)
def test_no_surprising_coercion(ws: TestWorkspace, body: dict[str, Any], field: str) -> None:
    r = ws.client().post("/api/v1/portal-invites/bulk", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["errors"], r.json()


def test_strict_numbers_and_flags_in_records(ws: TestWorkspace) -> None:
    c = ws.client()
    assert put(c, "customers", "C-1", customer_body()).status_code == 201
    r = put(c, "contacts", "P-1", {**contact_body("C-1"), "is_primary": "false"})
    assert r.status_code == 422 and "is_primary" in r.json()["errors"], r.text
    line = {"description": "Work", "unit_price_cents": True}
    r = put(
        c,
        "quotes",
        "Q-1",
        {"customer_external_id": "C-1", "number": "1", "title": "Q"} | {"lines": [line]},
    )
    assert r.status_code == 422 and "lines.0.unit_price_cents" in r.json()["errors"], r.text


def test_undeclared_methods_answer_405_with_allow(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    spec = server.app.openapi()
    checked = 0
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1") or "{" in path:
            continue
        declared = {m.upper() for m in ops}
        for method in ("TRACE", "PATCH", "PUT", "DELETE"):
            if method in declared:
                continue
            r = c.request(method, path)
            assert r.status_code == 405, (method, path, r.status_code, r.text)
            assert r.json()["detail"] == "That method is not allowed here."
            allowed = set(r.headers["allow"].split(", "))
            assert declared <= allowed, (path, declared, allowed)
            checked += 1
    assert checked > 20
    # A path whose last part looks like an id of a sibling route is still that path.
    r = c.patch("/api/v1/team/permissions", json={})
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) >= {"GET", "PUT"}


def test_error_bodies_are_the_documented_schema(server: Server) -> None:
    spec = server.app.openapi()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"detail"}
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    # An ErrorBody, or one that adds to it (a clash answers with the record
                    # as it now is): detail and errors always, detail required.
                    body = schemas[ref.rsplit("/", 1)[1]]
                    assert {"detail", "errors"} <= set(body["properties"]), (method, path, status)
                    assert set(body["required"]) & {"detail"}, (method, path, status)
            if "{" in path:
                assert "404" in op["responses"] and "422" in op["responses"], (method, path)
