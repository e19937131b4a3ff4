"""Nothing crosses workspaces: every /api/v1 route that takes an id answers another
workspace's object exactly as it answers a missing one (404), and changes nothing there.

The routes are read from the app itself, so a new route with a path parameter this table
does not know makes the test fail until an example id is added for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, get_args

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import (
    AuditEvent,
    Change,
    CustomerGroup,
    CustomerGroupMember,
    FollowUp,
    Invite,
    OutboxEmail,
    PortalAccount,
    ServiceRequest,
    StaffUser,
)
from server.wire.branding import EMAIL_KINDS
from server.wire.files import FileKind
from tests.server.conftest import Server
from tests.server.records_support import PDF, contact_body, customer_body, png_bytes, put
from tests.support.workspaces import TestWorkspace, make_workspace

MISSING_INT = 987654321
MISSING_EXTERNAL = "no-such-record"
PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


@dataclass
class Seeded:
    """Ids of workspace A's objects, one of each kind a route can name."""

    ids: dict[str, int]
    external: dict[str, str]  # records collection -> external id


def _seed(server: Server, a: TestWorkspace) -> Seeded:
    c = a.client()
    ext = {
        "customers": "C-A",
        "contacts": "P-A",
        "jobs": "J-A",
        "quotes": "Q-A",
        "invoices": "I-A",
        "documents": "D-A",
        "photos": "PH-A",
    }
    ids: dict[str, int] = {}

    def ok(r: httpx.Response) -> int:
        assert r.status_code in (200, 201), r.text
        return int(r.json()["id"])

    ids["customer"] = ok(put(c, "customers", "C-A", customer_body()))
    ids["contact"] = ok(put(c, "contacts", "P-A", contact_body("C-A")))
    ids["job"] = ok(
        put(
            c,
            "jobs",
            "J-A",
            {
                "customer_external_id": "C-A",
                "number": "1",
                "title": "Tap",
                "internal_status": "new",
            },
        )
    )
    line = [{"description": "Work", "unit_price_cents": 1000}]
    ids["quote"] = ok(
        put(
            c,
            "quotes",
            "Q-A",
            {"customer_external_id": "C-A", "number": "Q1", "title": "Q", "lines": line},
        )
    )
    ids["invoice"] = ok(
        put(c, "invoices", "I-A", {"customer_external_id": "C-A", "number": "I1", "lines": line})
    )
    form = {"customer_external_id": "C-A", "title": "Quote"}
    ids["document"] = ok(
        c.put("/api/v1/records/documents/D-A", data=form, files={"file": ("q.pdf", PDF)})
    )
    form = {"customer_external_id": "C-A"}
    ids["photo"] = ok(
        c.put("/api/v1/records/photos/PH-A", data=form, files={"file": ("p.png", png_bytes())})
    )
    with server.sessionmaker() as s:
        account = PortalAccount(
            workspace_id=a.id,
            contact_id=ids["contact"],
            customer_id=ids["customer"],
            email_normalized="hannah@example.com",
        )
        s.add(account)
        s.flush()
        s.add(
            Invite(
                workspace_id=a.id,
                account_id=account.id,
                digest=f"iso-{account.id}",
                expires_at=utcnow() + timedelta(days=7),
            )
        )
        mail = OutboxEmail(
            workspace_id=a.id,
            kind="invite",
            to_address="hannah@example.com",
            subject="Hi",
            body_text="Hi",
            body_html="<p>Hi</p>",
            status="failed",
        )
        s.add(mail)
        s.flush()
        group = CustomerGroup(workspace_id=a.id, name="Pilot A")
        s.add(group)
        s.flush()
        s.add(CustomerGroupMember(group_id=group.id, customer_id=ids["customer"]))
        ids["group"] = group.id
        request = ServiceRequest(
            workspace_id=a.id, customer_id=ids["customer"], description="Fix the tap"
        )
        s.add(request)
        s.flush()
        item = FollowUp(
            workspace_id=a.id,
            kind="service_request",
            dedupe_key=f"service_request:{request.id}",
            customer_id=ids["customer"],
            title="Service requested",
            service_request_id=request.id,
        )
        s.add(item)
        s.flush()
        ids["service_request"], ids["follow_up"] = request.id, item.id
        ids["account"], ids["email"] = account.id, mail.id
        ids["member"] = s.scalars(
            select(StaffUser.id).where(StaffUser.email == a.emails["dispatcher"])
        ).one()
        s.commit()
    # A logo in A's branding draft, uploaded the way the console does it.
    tag = c.get("/api/v1/branding").headers["etag"]
    r = c.post(
        "/api/v1/branding/logo", files={"file": ("l.png", png_bytes())}, headers={"If-Match": tag}
    )
    assert r.status_code == 200, r.text
    ids["logo"] = int(r.json()["draft"]["logo_file_id"])
    return Seeded(ids, ext)


def _file_id(path: str, values: dict[str, str], seeded: Seeded) -> int:
    if path.startswith("/api/v1/branding/logo/"):
        return seeded.ids["logo"]
    if path.startswith("/api/v1/files/{kind}/"):
        return seeded.ids[values["kind"]]
    pytest.fail(f"no example for file_id in {path}: add it to the table")


# Path parameter name -> A's object; every name a route uses must be here.
def _example(name: str, path: str, values: dict[str, str], seeded: Seeded) -> str:
    simple = {
        "customer_id": "customer",
        "contact_id": "contact",
        "account_id": "account",
        "job_id": "job",
        "quote_id": "quote",
        "invoice_id": "invoice",
        "document_id": "document",
        "photo_id": "photo",
        "member_id": "member",
        "staff_id": "member",
        "email_id": "email",
        "group_id": "group",
        "item_id": "follow_up",
        "request_id": "service_request",
    }
    if name in simple:
        return str(seeded.ids[simple[name]])
    if name == "file_id":
        return str(_file_id(path, values, seeded))
    if name == "external_id":
        collection = path.split("/records/", 1)[1].split("/", 1)[0]
        if collection not in seeded.external:
            pytest.fail(f"no example external id for records collection '{collection}'")
        return seeded.external[collection]
    pytest.fail(f"unknown path parameter '{name}' in {path}: add an example id for it to this test")


# Parameters that select a kind rather than an object: every value is tried.
CHOICES: dict[str, tuple[str, ...]] = {"kind": get_args(FileKind)}
# The same name selects something else on some paths: the branding emails' kind.
CHOICES_BY_PATH: dict[tuple[str, str], tuple[str, ...]] = {
    ("/api/v1/branding/emails/", "kind"): EMAIL_KINDS,
}


def _choices(name: str, path: str) -> tuple[str, ...]:
    for (prefix, param), values in CHOICES_BY_PATH.items():
        if param == name and path.startswith(prefix):
            return values
    return CHOICES[name]


@dataclass(frozen=True)
class Call:
    """One route call: method, path template, filled-in values for A's and a missing id."""

    method: str
    template: str
    choice: dict[str, str]
    body_schema: dict[str, Any] | None


def _calls(app: Any) -> Iterator[Call]:
    spec = app.openapi()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        names = PARAM.findall(path)
        # Only routes that name an object: a path whose parameters all pick a kind has none.
        if not path.startswith("/api/v1") or all(n in CHOICES for n in names):
            continue
        if all(n in CHOICES for n in names):
            continue  # it names a kind of thing, no object of anyone's
        choice_names = [n for n in names if n in CHOICES]
        combos: list[dict[str, str]] = [{}]
        for n in choice_names:
            combos = [{**c, n: v} for c in combos for v in _choices(n, path)]
        for method in sorted(m for m in route.methods or () if m != "HEAD"):
            # The document writes ``{member_id}`` where the route says ``{member_id:int}``.
            op = spec["paths"].get(route.path_format or path, {}).get(method.lower(), {})
            content = op.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            for combo in combos:
                yield Call(method, path, combo, schema)


def _example_body(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A minimal valid value for a JSON schema, so body validation cannot mask the 404."""
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[1]
        return _example_body(spec["components"]["schemas"][ref], spec)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example_body(options[0], spec)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example_body(props[k], spec) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return [
            _example_body(schema.get("items", {}), spec) for _ in range(schema.get("minItems", 0))
        ]
    if kind in ("integer", "number"):
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "email":
            return "someone@example.com"
        if schema.get("format") == "date-time":
            return "2025-01-01T00:00:00Z"
        return "example-" + "x" * max(0, int(schema.get("minLength", 0)) - 8)
    return None


def _fill(template: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], template)


def _answer(r: httpx.Response) -> tuple[int, Any]:
    try:
        body = r.json()
    except ValueError:
        return r.status_code, r.text
    if isinstance(body, dict):
        body.pop("request_id", None)
    return r.status_code, body


def _detail(answer: Any) -> Any:
    return answer.get("detail") if isinstance(answer, dict) else answer


def _footprint(server: Server, workspace_id: int) -> tuple[int, int, int]:
    with server.sessionmaker() as s:
        changes = s.scalar(select(func.max(Change.seq)).where(Change.workspace_id == workspace_id))
        n_changes = s.scalar(
            select(func.count()).select_from(Change).where(Change.workspace_id == workspace_id)
        )
        audits = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id)
        )
        return int(changes or 0), int(n_changes or 0), int(audits or 0)


@pytest.fixture
def other(server: Server) -> Iterator[TestWorkspace]:
    """Workspace B, whose owner probes A's ids."""
    w = make_workspace(server.sessionmaker, server.url)
    yield w
    w.close()


def test_every_id_route_hides_other_workspaces(
    server: Server, ws: TestWorkspace, other: TestWorkspace
) -> None:
    seeded = _seed(server, ws)
    spec = server.app.openapi()
    # Upserts go last: a PUT creates B's own record under that external id.
    calls = sorted(_calls(server.app), key=_is_upsert)
    assert len(calls) >= 20, "the walk should see every included router"
    before = _footprint(server, ws.id)
    leaks: list[str] = []
    probe = other.client("owner")
    for call in calls:
        names = PARAM.findall(call.template)
        theirs = dict(call.choice)
        missing = dict(call.choice)
        for n in names:
            if n in CHOICES:
                continue
            theirs[n] = _example(n, call.template, call.choice, seeded)
            missing[n] = MISSING_EXTERNAL if n == "external_id" else str(MISSING_INT)
        body = _example_body(call.body_schema, spec) if call.body_schema else None
        headers = {"If-Match": '"1"'}
        got = [
            _answer(probe.request(call.method, _fill(call.template, v), json=body, headers=headers))
            for v in (theirs, missing)
        ]
        where = f"{call.method} {_fill(call.template, theirs)}"
        if _is_upsert(call):
            got = [(status, _detail(answer)) for status, answer in got]
        if got[0] != got[1]:
            leaks.append(f"{where}: {got[0]} differs from a missing id's {got[1]}")
        elif not _is_upsert(call) and got[0][0] != 404:
            leaks.append(f"{where}: expected 404, got {got[0]}")
    assert leaks == [], "\n".join(leaks)
    assert _footprint(server, ws.id) == before, "a call with B's token changed workspace A"


def _is_upsert(call: Call) -> bool:
    """PUT by external id creates the caller's own record: it never reaches A's (checked by
    the footprint), so its answer need not be a 404, only the same for A's id and a new one."""
    return call.method == "PUT" and call.template.startswith("/api/v1/records/")


def test_examples_point_at_real_objects(server: Server, ws: TestWorkspace) -> None:
    """The table is honest: with A's own token, A's ids are found by every GET route."""
    seeded = _seed(server, ws)
    c = ws.client("owner")
    checked = 0
    for call in _calls(server.app):
        if call.method != "GET":
            continue
        values = dict(call.choice)
        for n in PARAM.findall(call.template):
            if n not in CHOICES:
                values[n] = _example(n, call.template, call.choice, seeded)
        r = c.get(_fill(call.template, values))
        assert r.status_code == 200, (
            f"GET {call.template} with A's own id: {r.status_code} {r.text[:120]}"
        )
        checked += 1
    assert checked >= 3
