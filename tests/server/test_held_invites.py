"""Invites made while the portal is coming soon are held, and sent when it goes live."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import AuditEvent, Invite, OutboxEmail
from server.wire.rollout import BLOCKING_ITEMS
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def _invite_mail(server: Server, ws_id: int) -> list[OutboxEmail]:
    with server.sessionmaker() as s:
        return list(
            s.scalars(
                select(OutboxEmail)
                .where(OutboxEmail.workspace_id == ws_id, OutboxEmail.kind == "invite")
                .order_by(OutboxEmail.id)
            )
        )


def _actions(server: Server, ws_id: int) -> list[tuple[str, dict[str, object]]]:
    with server.sessionmaker() as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.workspace_id == ws_id)
            .order_by(AuditEvent.id)
        )
        return [(a, dict(d or {})) for a, d in rows]


def _go_live(c: httpx.Client, status: str = "active", tag: str | None = None) -> httpx.Response:
    tag = tag or c.get("/api/v1/workspace").headers["etag"]
    # Going live with checklist items open needs each one acknowledged by name.
    body: dict[str, object] = {"portal_status": status}
    if status == "active":
        body["acknowledged_open_items"] = sorted(BLOCKING_ITEMS)
    return c.patch("/api/v1/workspace", json=body, headers={"If-Match": tag})


def _all_sent(c: httpx.Client) -> None:
    """Wait until the background sender has sent every held invite (it counts down)."""
    deadline = time.monotonic() + 60
    while (left := c.get("/api/v1/workspace/held-invites").json()["waiting"]) > 0:
        assert time.monotonic() < deadline, f"{left} held invites still waiting"
        time.sleep(0.05)


def test_an_invite_while_coming_soon_is_held_then_sent_at_go_live(server: Server) -> None:
    ws = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    try:
        made = add_customer(
            server.sessionmaker, ws.id, "Pat Doe", [("Pat Doe", "pat@example.com", None)]
        )
        cid = made.contact_ids[0]
        r = ws.client("dispatcher").post(f"/api/v1/contacts/{cid}/portal-invite")
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["held"] is True
        assert body["invite_url"] is None and body["email"] is None and body["expires_at"] is None
        assert body["account"]["status"] == "invited"
        assert body["account"]["invite"]["held"] is True
        assert _invite_mail(server, ws.id) == []  # nothing goes out while coming soon
        detail = ws.client("dispatcher").get(f"/api/v1/customers/{made.customer_id}").json()
        assert detail["contacts"][0]["portal_account"]["invite"]["held"] is True
        assert detail["portal_status"] == "invited"  # held invites never run out
        # Asking again while held changes nothing: it already waits.
        again = ws.client("dispatcher").post(f"/api/v1/contacts/{cid}/portal-invite")
        assert again.status_code == 409

        held = ws.client("owner").get("/api/v1/workspace/held-invites").json()
        assert held == {"waiting": 1, "portal_status": "coming_soon"}
        before = utcnow()
        r = _go_live(ws.client("owner"))
        assert r.status_code == 200 and r.json()["portal_status"] == "active"
        _all_sent(ws.client("dispatcher"))
        (mail,) = _invite_mail(server, ws.id)
        assert mail.to_address == "pat@example.com"
        m = re.search(rf"{re.escape(server.url)}/p/{ws.slug}/invite/([A-Za-z0-9_-]{{43}})",
                      mail.body_text)  # fmt: skip
        assert m, mail.body_text
        with server.sessionmaker() as s:
            invite = s.scalar(select(Invite).where(Invite.account_id == body["account"]["id"]))
            assert invite is not None and not invite.held and invite.outbox_id == mail.id
            # The 7 days start when the email is sent, not when the invite was made.
            assert timedelta(days=7) - timedelta(minutes=1) < invite.expires_at - before
            assert invite.expires_at - utcnow() <= timedelta(days=7)
        # The link in the email works.
        page = httpx.get(f"{server.url}/p/{ws.slug}/invite/{m.group(1)}", timeout=30)
        assert page.status_code == 200 and "pat@example.com" in page.text
        actions = _actions(server, ws.id)
        names = [a for a, _ in actions]
        assert names.index("portal.invite_held") < names.index("portal.invite_sent")
        sent = next(d for a, d in actions if a == "portal.invite_sent")
        assert sent["released_from_hold"] is True
        live = next(d for a, d in actions if a == "workspace.portal_activated")
        assert live["held_invites_to_send"] == 1
        # Sent by the background sender, in the name of the owner who switched the portal on.
        with server.sessionmaker() as s:
            by = s.scalar(
                select(AuditEvent.actor_name).where(
                    AuditEvent.workspace_id == ws.id, AuditEvent.action == "portal.invite_sent"
                )
            )
        assert by == "Owner"
        detail = ws.client("dispatcher").get(f"/api/v1/customers/{made.customer_id}").json()
        assert detail["contacts"][0]["portal_account"]["invite"]["held"] is False
        # Going live again (after a switch back) sends nothing twice.
        assert _go_live(ws.client("owner"), "coming_soon").status_code == 200
        assert _go_live(ws.client("owner")).status_code == 200
        _all_sent(ws.client("dispatcher"))
        assert len(_invite_mail(server, ws.id)) == 1
    finally:
        ws.close()


def test_revoked_held_invites_stay_unsent_and_bad_patches_send_nothing(server: Server) -> None:
    ws = make_workspace(server.sessionmaker, server.url, portal_status="coming_soon")
    try:
        ids = [
            add_customer(
                server.sessionmaker, ws.id, f"Person {i}", [(f"P{i}", f"p{i}@example.com", None)]
            ).contact_ids[0]
            for i in range(3)
        ]
        c = ws.client("owner")
        dry = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": ids, "dry_run": True})
        assert dry.status_code == 200
        assert all("held until the portal goes live" in r["detail"] for r in dry.json()["results"])
        run = c.post("/api/v1/portal-invites/bulk", json={"contact_ids": ids, "dry_run": False})
        assert [r["outcome"] for r in run.json()["results"]] == ["invited"] * 3
        assert all(r["detail"].startswith("Held for") for r in run.json()["results"])
        assert all(r["email_id"] is None for r in run.json()["results"])
        assert c.post(f"/api/v1/contacts/{ids[0]}/portal-invite/revoke").status_code == 200
        # A stale ETag or a bad status: refused, and still nothing is sent.
        stale = c.get("/api/v1/workspace").headers["etag"]
        c.patch("/api/v1/workspace", json={"name": "Renamed"}, headers={"If-Match": stale})
        r = _go_live(c, tag=stale)
        assert r.status_code == 412 and r.json()["detail"]
        r = _go_live(c, status="open")
        assert r.status_code == 422 and "portal_status" in r.json()["errors"]
        r = c.patch("/api/v1/workspace", json={"portal_status": "active"})
        assert r.status_code == 428
        assert _invite_mail(server, ws.id) == []
        assert _go_live(c).status_code == 200
        _all_sent(c)
        sent = {m.to_address for m in _invite_mail(server, ws.id)}
        assert sent == {"p1@example.com", "p2@example.com"}
    finally:
        ws.close()


def test_an_active_portal_sends_at_once(server: Server, ws: TestWorkspace) -> None:
    cid = add_customer(
        server.sessionmaker, ws.id, "Kim Live", [("Kim Live", "kim@example.com", None)]
    ).contact_ids[0]
    r = ws.client("dispatcher").post(f"/api/v1/contacts/{cid}/portal-invite")
    assert r.status_code == 201 and r.json()["held"] is False and r.json()["invite_url"]
    with server.sessionmaker() as s:
        held = s.scalar(
            select(func.count())
            .select_from(Invite)
            .where(Invite.workspace_id == ws.id, Invite.held)
        )
    assert held == 0


def test_the_list_row_shows_the_primary_contacts_status_only(
    server: Server, ws: TestWorkspace
) -> None:
    made = add_customer(
        server.sessionmaker,
        ws.id,
        "Two Contacts",
        [("Primary Pat", "primary@example.com", None), ("Manager Max", "max@example.com", None)],
    )
    primary, other = made.contact_ids
    c = ws.client("owner")
    assert c.post(f"/api/v1/contacts/{other}/portal-invite").status_code == 201

    def row() -> dict[str, object]:
        page = c.get("/api/v1/customers", params={"q": "Two Contacts"}).json()
        return next(r for r in page["data"] if r["id"] == made.customer_id)

    # Max is invited, but the row names Pat: it must not say "Invited".
    got = row()
    assert got["primary_contact_name"] == "Primary Pat" and got["portal_status"] == "not_invited"
    assert got["invite_expires_at"] is None
    found = c.get("/api/v1/customers", params={"portal_status": "invited"}).json()["data"]
    assert made.customer_id not in {r["id"] for r in found}
    assert c.post(f"/api/v1/contacts/{primary}/portal-invite").status_code == 201
    assert row()["portal_status"] == "invited"
