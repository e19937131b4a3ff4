"""Bulk invite: dry run per contact, the real run, selections and limits."""

from __future__ import annotations

from sqlalchemy import func, select

from server.db.models import Invite, OutboxEmail
from tests.server.conftest import Server
from tests.support.customers import activate, add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def _arrange(server: Server, ws: TestWorkspace) -> dict[str, int]:
    f = server.sessionmaker
    ids = {
        "ok": add_customer(f, ws.id, "Ok One", [("Ok", "ok@example.com", None)]).contact_ids[0],
        "none": add_customer(f, ws.id, "No Mail", [("No", None, None)]).contact_ids[0],
        "bad": add_customer(f, ws.id, "Bad Mail", [("Bad", "bad@", None)]).contact_ids[0],
        "active": add_customer(f, ws.id, "Act Ive", [("Act", "act@example.com", None)]).contact_ids[
            0
        ],
        "off": add_customer(f, ws.id, "Dis Abled", [("Dis", "off@example.com", None)]).contact_ids[
            0
        ],
    }
    a = add_customer(f, ws.id, "Shared A", [("A", "same@example.com", None)])
    add_customer(f, ws.id, "Shared B", [("B", "same@example.com", None)])
    ids["shared"] = a.contact_ids[0]
    twins = add_customer(
        f, ws.id, "Twin House", [("T1", "twin@example.com", None), ("T2", "twin@example.com", None)]
    )
    ids["twin1"], ids["twin2"] = twins.contact_ids
    activate(f, ids["active"])
    activate(f, ids["off"])
    r = ws.client("owner").post(
        f"/api/v1/contacts/{ids['off']}/portal-access/disable", json={"reason": "Left"}
    )
    assert r.status_code == 200
    return ids


def test_dry_run_reports_per_contact_and_changes_nothing(server: Server, ws: TestWorkspace) -> None:
    ids = _arrange(server, ws)
    other = make_workspace(server.sessionmaker, server.url)
    try:
        foreign = add_customer(
            server.sessionmaker, other.id, "Else", [("E", "e@example.com", None)]
        ).contact_ids[0]
    finally:
        other.close()
    order = [ids[k] for k in ("ok", "none", "bad", "active", "off", "shared", "twin1", "twin2")]
    order += [foreign, 999999999]
    r = ws.client("manager").post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": order, "dry_run": True}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    outcomes = [x["outcome"] for x in body["results"]]
    assert [x["contact_id"] for x in body["results"]] == order
    assert outcomes == [
        "would_invite",
        "no_email",
        "invalid_email",
        "already_active",
        "disabled",
        "email_shared",
        "would_invite",
        "email_taken",
        "not_found",
        "not_found",
    ]
    assert body["counts"]["would_invite"] == 2 and body["total"] == 10
    assert all(x["detail"] for x in body["results"])
    with server.sessionmaker() as s:
        assert (
            s.scalar(select(func.count()).select_from(Invite).where(Invite.workspace_id == ws.id))
            == 0
        )


def test_real_run_invites_the_eligible_and_is_safe_to_repeat(
    server: Server, ws: TestWorkspace
) -> None:
    ids = _arrange(server, ws)
    c = ws.client("owner")
    chosen = [ids["ok"], ids["none"], ids["twin1"], ids["twin2"]]
    r = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": chosen, "dry_run": False})
    assert r.status_code == 200, r.text
    outcomes = {x["contact_id"]: x["outcome"] for x in r.json()["results"]}
    assert outcomes == {
        ids["ok"]: "invited",
        ids["none"]: "no_email",
        ids["twin1"]: "invited",
        ids["twin2"]: "email_taken",
    }
    assert all(x["email_id"] for x in r.json()["results"] if x["outcome"] == "invited")
    with server.sessionmaker() as s:
        n = s.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.workspace_id == ws.id, OutboxEmail.kind == "invite")
        )
    assert n == 2
    again = c.post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": chosen, "dry_run": False}
    ).json()
    assert again["counts"].get("invited", 0) == 0 and again["counts"]["already_invited"] == 2
    assert c.get("/api/v1/customers", params={"portal_status": "invited"}).json()["count"] == 2
    audit = c.get("/api/v1/audit", params={"action": "portal.bulk_invite"}).json()
    assert audit["count"] == 2


def test_selection_invites_primary_contacts(server: Server, ws: TestWorkspace) -> None:
    ids = _arrange(server, ws)
    c = ws.client("owner")
    body = {"selection": {"q": "shared", "portal_status": "not_invited"}, "dry_run": True}
    r = c.post("/api/v1/portal-invites/bulk", json=body)
    assert r.status_code == 200, r.text
    assert [x["outcome"] for x in r.json()["results"]] == ["email_shared", "email_shared"]
    assert ids["shared"] in [x["contact_id"] for x in r.json()["results"]]


def test_a_selection_is_what_the_list_finds(server: Server, ws: TestWorkspace) -> None:
    _arrange(server, ws)  # sort names are "last first" here: "Shared A" is "a shared"
    c = ws.client("owner")
    for q in ("sh", "a", "tw", "o", "shared", "a sh"):
        listed = c.get("/api/v1/customers", params={"q": q, "limit": 100}).json()["data"]
        body = {"selection": {"q": q}, "dry_run": True}
        r = c.post("/api/v1/portal-invites/bulk", json=body)
        assert r.status_code == 200, r.text
        chosen = sorted(x["contact_id"] for x in r.json()["results"])
        assert chosen == sorted(row["primary_contact_id"] for row in listed), q
    # "sh" starts no sort name: nobody, although "Shared" has it inside.
    sh = c.post("/api/v1/portal-invites/bulk", json={"selection": {"q": "sh"}, "dry_run": True})
    assert sh.json()["results"] == []


def test_bad_requests(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    r = c.post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": list(range(1, 5002)), "dry_run": True}
    )
    assert r.status_code == 422 and "5,000" in r.json()["detail"]
    r = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": [1]})
    assert r.status_code == 422 and "dry_run" in r.json()["errors"]
    r = c.post("/api/v1/portal-invites/bulk", json={"dry_run": True})
    assert r.status_code == 422
    r = c.post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": [1], "selection": {}, "dry_run": True}
    )
    assert r.status_code == 422
    r = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": [], "dry_run": True})
    assert r.status_code == 422
    r = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": ["x"], "dry_run": True})
    assert r.status_code == 422
    # The dispatcher role has no bulk invite by default.
    r = ws.client("dispatcher").post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": [1], "dry_run": True}
    )
    assert r.status_code == 403 and "bulk invite" in r.json()["detail"]
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["bulk_invite"])
    r = ws.client("dispatcher").post(
        "/api/v1/portal-invites/bulk", json={"contact_ids": [1], "dry_run": True}
    )
    assert r.status_code == 200
