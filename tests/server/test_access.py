"""Invite, resend, revoke, disable, enable, reset link, unlock: each action and its bad inputs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import (
    AuditEvent,
    Invite,
    OutboxEmail,
    PortalAccount,
    PortalSession,
    ResetToken,
)
from server.domain.secrets import digest
from tests.server.conftest import Server
from tests.support.customers import activate, add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def _contact(server: Server, ws: TestWorkspace, email: str | None = "pat@example.com") -> int:
    return add_customer(
        server.sessionmaker, ws.id, "Pat Doe", [("Pat Doe", email, None)]
    ).contact_ids[0]


def _events(server: Server, contact_id: int) -> list[str]:
    with server.sessionmaker() as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.contact_id == contact_id)
                .order_by(AuditEvent.id)
            )
        )


def test_invite_gives_link_once_and_queues_email(server: Server, ws: TestWorkspace) -> None:
    cid = _contact(server, ws)
    r = ws.client("dispatcher").post(f"/api/v1/contacts/{cid}/portal-invite")
    assert r.status_code == 201, r.text
    body = r.json()
    m = re.fullmatch(
        rf"{re.escape(server.url)}/p/{ws.slug}/invite/([A-Za-z0-9_-]{{43}})", body["invite_url"]
    )
    assert m, body["invite_url"]
    token = m.group(1)
    assert body["email"]["status"] == "pending" and body["email"]["to_address"] == "pat@example.com"
    assert body["account"]["status"] == "invited"
    with server.sessionmaker() as s:
        invite = s.scalar(select(Invite).where(Invite.digest == digest(token)))
        assert invite is not None and invite.outbox_id == body["email"]["id"]
        assert timedelta(days=6, hours=23) < invite.expires_at - utcnow() <= timedelta(days=7)
        # The token itself is stored nowhere but in the email being sent.
        assert s.scalar(select(func.count()).select_from(Invite).where(Invite.digest == token)) == 0
        mail = s.get(OutboxEmail, body["email"]["id"])
        assert mail and mail.kind == "invite" and token in mail.body_text
    assert _events(server, cid) == ["portal.invite_sent"]
    # The customer detail no longer carries the link.
    detail = ws.client("dispatcher").get(f"/api/v1/customers/{body['customer_id']}").text
    assert token not in detail


def test_invite_refusals(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    c = ws.client("dispatcher")
    no_email = _contact(server, ws, None)
    r = c.post(f"/api/v1/contacts/{no_email}/portal-invite")
    assert r.status_code == 422 and "no email" in r.json()["detail"]
    bad = _contact(server, ws, "pat@@example")
    r = c.post(f"/api/v1/contacts/{bad}/portal-invite")
    assert r.status_code == 422 and "This email has more than one @" in r.json()["detail"]
    # The same address at two customers: whose is it?
    add_customer(f, ws.id, "Sam Roe", [("Sam Roe", "shared@example.com", None)])
    shared = _contact(server, ws, "Shared@example.com")
    r = c.post(f"/api/v1/contacts/{shared}/portal-invite")
    assert r.status_code == 409 and "other customer" in r.json()["detail"]
    # Taken by another contact's portal account (same customer).
    made = add_customer(
        f,
        ws.id,
        "Lee Family",
        [("Lee A", "lee@example.com", None), ("Lee B", "lee@example.com", None)],
    )
    assert c.post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite").status_code == 201
    r = c.post(f"/api/v1/contacts/{made.contact_ids[1]}/portal-invite")
    assert r.status_code == 409 and "already used" in r.json()["detail"]
    # Already invited, already active.
    r = c.post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite")
    assert r.status_code == 409 and "Resend" in r.json()["detail"]
    active = _contact(server, ws, "active@example.com")
    activate(f, active)
    r = c.post(f"/api/v1/contacts/{active}/portal-invite")
    assert r.status_code == 409 and "already has portal access" in r.json()["detail"]
    with f() as s:
        accounts = s.scalar(
            select(func.count())
            .select_from(PortalAccount)
            .where(PortalAccount.workspace_id == ws.id)
        )
        mails = s.scalar(
            select(func.count()).select_from(OutboxEmail).where(OutboxEmail.workspace_id == ws.id)
        )
    assert (accounts, mails) == (2, 1)  # nothing half-written by the refusals


def test_resend_kills_old_link_and_revoke(server: Server, ws: TestWorkspace) -> None:
    cid = _contact(server, ws)
    c = ws.client("dispatcher")
    r = c.post(f"/api/v1/contacts/{cid}/portal-invite/resend")
    assert r.status_code == 409 and "not been invited" in r.json()["detail"]
    first = c.post(f"/api/v1/contacts/{cid}/portal-invite").json()["invite_url"]
    r = c.post(f"/api/v1/contacts/{cid}/portal-invite/resend")
    assert r.status_code == 201, r.text
    second = r.json()["invite_url"]
    assert second != first
    with server.sessionmaker() as s:
        old = s.scalar(select(Invite).where(Invite.digest == digest(first.rsplit("/", 1)[1])))
        new = s.scalar(select(Invite).where(Invite.digest == digest(second.rsplit("/", 1)[1])))
        assert old and old.revoked_at is not None
        assert new and new.revoked_at is None
    r = c.post(f"/api/v1/contacts/{cid}/portal-invite/revoke")
    assert r.status_code == 200 and r.json()["invite"]["revoked_at"]
    assert r.json()["portal_status"] == "invite_expired"
    assert c.post(f"/api/v1/contacts/{cid}/portal-invite/revoke").status_code == 200  # again: no-op
    assert _events(server, cid) == [
        "portal.invite_sent",
        "portal.invite_resent",
        "portal.invite_revoked",
    ]
    rows = c.get("/api/v1/customers", params={"portal_status": "invite_expired"}).json()["data"]
    assert [row["primary_contact_id"] for row in rows] == [cid]
    # After a revoke, inviting again is allowed.
    assert c.post(f"/api/v1/contacts/{cid}/portal-invite").status_code == 201


def test_disable_ends_everything_and_enable(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    cid = _contact(server, ws)
    c = ws.client("dispatcher")
    account_id = activate(f, cid)
    with f() as s:
        s.add(
            PortalSession(
                workspace_id=ws.id,
                account_id=account_id,
                digest="a" * 64,
                csrf_token="x",
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        s.add(
            ResetToken(
                workspace_id=ws.id,
                account_id=account_id,
                digest="b" * 64,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        s.commit()
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/disable", json={})
    assert r.status_code == 422 and "reason" in r.json()["errors"]
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/disable", json={"reason": "   "})
    assert r.status_code == 422
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/disable", json={"reason": "Moved out"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "disabled" and body["disabled_reason"] == "Moved out"
    assert (
        body["disabled_by"] == "Dispatcher" and body["last_action"]["action"] == "access_disabled"
    )
    with f() as s:
        assert s.scalar(
            select(PortalSession.revoked_at).where(PortalSession.account_id == account_id)
        )
        assert s.scalar(select(ResetToken.revoked_at).where(ResetToken.account_id == account_id))
    again = c.post(f"/api/v1/contacts/{cid}/portal-access/disable", json={"reason": "Again"})
    assert again.status_code == 200 and again.json()["disabled_reason"] == "Moved out"
    r = c.post(f"/api/v1/contacts/{cid}/portal-invite")
    assert r.status_code == 409 and "disabled" in r.json()["detail"]
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/reset-link")
    assert r.status_code == 409
    rows = c.get("/api/v1/customers", params={"portal_status": "disabled"}).json()["data"]
    assert [row["primary_contact_id"] for row in rows] == [cid]
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/enable")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert r.json()["disabled_reason"] is None
    assert c.post(f"/api/v1/contacts/{cid}/portal-access/enable").json()["status"] == "active"
    assert _events(server, cid) == ["portal.access_disabled", "portal.access_enabled"]


def test_enable_without_password_needs_a_new_invite(server: Server, ws: TestWorkspace) -> None:
    cid = _contact(server, ws)
    c = ws.client("dispatcher")
    url = c.post(f"/api/v1/contacts/{cid}/portal-invite").json()["invite_url"]
    c.post(f"/api/v1/contacts/{cid}/portal-access/disable", json={"reason": "Wrong person"})
    with server.sessionmaker() as s:
        inv = s.scalar(select(Invite).where(Invite.digest == digest(url.rsplit("/", 1)[1])))
        assert inv and inv.revoked_at is not None
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/enable")
    assert r.json()["status"] == "invited" and r.json()["portal_status"] == "invite_expired"


def test_reset_link_goes_to_customer_only(server: Server, ws: TestWorkspace) -> None:
    f = server.sessionmaker
    c = ws.client("dispatcher")
    cid = _contact(server, ws)
    assert c.post(f"/api/v1/contacts/{cid}/portal-invite").status_code == 201
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/reset-link")
    assert r.status_code == 409 and "Resend the invite" in r.json()["detail"]
    activate(f, cid, locked_until=utcnow() + timedelta(minutes=15), failed_attempts=5)
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/reset-link")  # works while locked
    assert r.status_code == 201, r.text
    body = r.json()
    assert "/reset/" not in r.text and body["email"]["kind"] == "reset"
    with f() as s:
        mail = s.get(OutboxEmail, body["email"]["id"])
        assert mail and f"/p/{ws.slug}/reset/" in mail.body_text
        token = mail.body_text.split("/reset/")[1].split()[0]
        reset = s.scalar(select(ResetToken).where(ResetToken.digest == digest(token)))
        assert reset and reset.expires_at - utcnow() <= timedelta(hours=1)
    second = c.post(f"/api/v1/contacts/{cid}/portal-access/reset-link")
    assert second.status_code == 201
    with f() as s:
        assert s.scalar(select(ResetToken.revoked_at).where(ResetToken.digest == digest(token)))


def test_unlock(server: Server, ws: TestWorkspace) -> None:
    cid = _contact(server, ws)
    c = ws.client("dispatcher")
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/unlock")
    assert r.status_code == 409 and "no portal account" in r.json()["detail"]
    activate(
        server.sessionmaker, cid, locked_until=utcnow() + timedelta(minutes=15), failed_attempts=5
    )
    rows = c.get("/api/v1/customers", params={"portal_status": "locked"}).json()["data"]
    assert [row["primary_contact_id"] for row in rows] == [cid]
    r = c.post(f"/api/v1/contacts/{cid}/portal-access/unlock")
    assert r.status_code == 200
    assert r.json()["failed_attempts"] == 0 and r.json()["locked"] is False
    assert r.json()["portal_status"] == "active"
    assert c.get("/api/v1/customers", params={"portal_status": "locked"}).json()["count"] == 0
    assert c.post(f"/api/v1/contacts/{cid}/portal-access/unlock").status_code == 200
    assert _events(server, cid) == ["portal.unlocked"]


ACTIONS = [
    ("portal-invite", None, "invite"),
    ("portal-invite/resend", None, "invite"),
    ("portal-invite/revoke", None, "invite"),
    ("portal-access/disable", {"reason": "x"}, "disable"),
    ("portal-access/enable", None, "disable"),
    ("portal-access/reset-link", None, "reset"),
    ("portal-access/unlock", None, "unlock"),
]


@pytest.mark.parametrize(("path", "body", "perm"), ACTIONS)
def test_foreign_ids_and_permissions(
    server: Server, ws: TestWorkspace, path: str, body: dict | None, perm: str
) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    try:
        foreign = add_customer(
            server.sessionmaker, other.id, "Far Away", [("Far", "far@example.com", None)]
        ).contact_ids[0]
    finally:
        other.close()
    c = ws.client("dispatcher")
    a = c.post(f"/api/v1/contacts/{foreign}/{path}", json=body)
    b = c.post(f"/api/v1/contacts/999999999/{path}", json=body)
    assert a.status_code == b.status_code == 404
    assert a.json()["detail"] == b.json()["detail"]
    mine = _contact(server, ws)
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["view_customers"])
    r = c.post(f"/api/v1/contacts/{mine}/{path}", json=body)
    assert r.status_code == 403
    assert perm in r.json()["detail"]
    assert _events(server, mine) == []
