"""The email clean-up report."""

from __future__ import annotations

from tests.server.conftest import Server
from tests.support.customers import add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def test_report_sections(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    add_customer(f, ws.id, "Fine Person", [("Fine", "fine@example.com", None)])
    missing = add_customer(f, ws.id, "No Mail", [("Nomail", None, None), ("Blank", "  ", None)])
    bad = add_customer(f, ws.id, "Typo Mail", [("Typo", "typo@example,com", None)])
    dup = add_customer(
        f, ws.id, "Dup House", [("D1", "dup@example.com", None), ("D2", "DUP@example.com", None)]
    )
    s1 = add_customer(f, ws.id, "Share One", [("S1", "share@example.com", None)])
    s2 = add_customer(f, ws.id, "Share Two", [("S2", "share@example.com", None)])
    other = make_workspace(f, server.url)
    try:
        add_customer(
            f, other.id, "Elsewhere", [("X", "share@example.com", None), ("Y", None, None)]
        )
    finally:
        other.close()
    r = ws.client("dispatcher").get("/api/v1/email-hygiene")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["missing"]["count"] == 2
    assert {c["contact_id"] for c in body["missing"]["items"]} == set(missing.contact_ids)
    assert body["invalid"]["count"] == 1
    assert body["invalid"]["items"][0]["contact_id"] == bad.contact_ids[0]
    assert body["invalid"]["items"][0]["problem"] == (
        "This email has a comma after the @ (a dot was meant?)."
    )
    assert body["invalid"]["contact_count"] == 1 and body["missing"]["contact_count"] == 2
    assert body["duplicated"]["count"] == 1
    group = body["duplicated"]["items"][0]
    assert group["email"] == "dup@example.com" and group["customer_count"] == 1
    assert {c["contact_id"] for c in group["contacts"]} == set(dup.contact_ids)
    assert body["shared"]["count"] == 1
    shared = body["shared"]["items"][0]
    assert shared["customer_count"] == 2  # the other workspace is not counted
    assert {c["customer_id"] for c in shared["contacts"]} == {s1.customer_id, s2.customer_id}
    # Contacts named in all, beside the number of emails: what the console's summary says.
    assert body["duplicated"]["contact_count"] == 2 and body["shared"]["contact_count"] == 2


def test_report_is_capped_with_full_counts(server: Server, ws: TestWorkspace) -> None:
    for i in range(3):
        add_customer(server.sessionmaker, ws.id, f"Person {i}", [(f"P{i}", None, None)])
    r = ws.client("dispatcher").get("/api/v1/email-hygiene", params={"limit": 2})
    assert r.json()["missing"]["count"] == 3 and len(r.json()["missing"]["items"]) == 2
    assert r.json()["missing"]["contact_count"] == 3
    r = ws.client("dispatcher").get("/api/v1/email-hygiene", params={"limit": 0})
    assert r.status_code == 422 and "limit" in r.json()["errors"]


def test_needs_view_customers(server: Server, ws: TestWorkspace) -> None:
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["invite"])
    r = ws.client("dispatcher").get("/api/v1/email-hygiene")
    assert r.status_code == 403 and r.json()["detail"]
