"""Idempotency-Key on staff-API POSTs: replay, mismatch, in flight, failures not kept."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from server.db.base import utcnow
from server.db.models import Customer, IdempotencyKey, StaffUser
from server.domain.idempotency import fingerprint, prune_idempotency_keys
from tests.server.conftest import Server
from tests.server.records_support import customer_body
from tests.support.workspaces import TestWorkspace

URL = "/api/v1/records/batch"


def _batch(name: str = "Hannah Okafor") -> dict[str, object]:
    return {"customers": [{"external_id": "C-1", **customer_body(name)}]}


def _customers(server: Server, ws: TestWorkspace) -> int:
    with server.sessionmaker() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(Customer).where(Customer.workspace_id == ws.id)
            )
            or 0
        )


def test_replay_returns_first_answer(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    first = c.post(URL, json=_batch(), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    assert first.json()["data"][0]["created"] is True
    replay = c.post(URL, json=_batch(), headers={"Idempotency-Key": "k-1"})
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content  # the first answer, not a fresh "unchanged" one
    assert replay.headers["content-type"] == "application/json"
    assert _customers(server, ws) == 1
    # Without the key the same body runs again, and reports that nothing changed.
    fresh = c.post(URL, json=_batch())
    assert fresh.json()["data"][0]["created"] is False


def test_same_key_other_body_is_422(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    assert c.post(URL, json=_batch(), headers={"Idempotency-Key": "k-2"}).status_code == 200
    r = c.post(URL, json=_batch("Someone Else"), headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("This Idempotency-Key was already used")
    with server.sessionmaker() as s:
        names = s.scalars(select(Customer.name).where(Customer.workspace_id == ws.id)).all()
    assert names == ["Hannah Okafor"]


def test_keys_are_per_workspace(server: Server, ws: TestWorkspace) -> None:
    from tests.support.workspaces import make_workspace

    other = make_workspace(server.sessionmaker, server.url)
    try:
        a = ws.client().post(URL, json=_batch(), headers={"Idempotency-Key": "shared"})
        b = other.client().post(URL, json=_batch("B"), headers={"Idempotency-Key": "shared"})
        assert a.status_code == b.status_code == 200
        assert "idempotent-replayed" not in b.headers
        assert _customers(server, other) == 1
    finally:
        other.close()


def test_in_flight_duplicate_is_409(server: Server, ws: TestWorkspace) -> None:
    body = httpx.Request("POST", "http://x", json=_batch()).content
    with server.sessionmaker() as s:
        owner = s.scalar(select(StaffUser.id).where(StaffUser.email == ws.emails["owner"]))
        s.add(
            IdempotencyKey(
                workspace_id=ws.id,
                key=f"{owner}:busy",  # keys are stored per staff member
                request_hash=fingerprint("POST", URL, "", body),
                status_code=0,
                response_body={},
            )
        )
        s.commit()
    r = ws.client().post(
        URL, content=body, headers={"Idempotency-Key": "busy", "Content-Type": "application/json"}
    )
    assert r.status_code == 409
    assert "still being processed" in r.json()["detail"]
    assert r.json()["request_id"] == r.headers["x-request-id"]
    assert _customers(server, ws) == 0


def test_failed_request_releases_the_key(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    bad = {"customers": [{"external_id": "C-1", "name": ""}]}
    r = c.post(URL, json=bad, headers={"Idempotency-Key": "k-3"})
    assert r.status_code == 422
    with server.sessionmaker() as s:
        assert s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-3")) is None
    # The key is free: a corrected retry with a different body is accepted.
    ok = c.post(URL, json=_batch(), headers={"Idempotency-Key": "k-3"})
    assert ok.status_code == 200 and "idempotent-replayed" not in ok.headers


def test_bad_key_and_forbidden_role(server: Server, ws: TestWorkspace) -> None:
    r = ws.client().post(URL, json=_batch(), headers={"Idempotency-Key": "x" * 201})
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json()["detail"]
    # A dispatcher may not push records: 403, and the key is not kept.
    r = ws.client("dispatcher").post(URL, json=_batch(), headers={"Idempotency-Key": "k-4"})
    assert r.status_code == 403
    with server.sessionmaker() as s:
        assert s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-4")) is None


def test_prune_removes_old_keys(server: Server, ws: TestWorkspace) -> None:
    c = ws.client()
    assert c.post(URL, json=_batch(), headers={"Idempotency-Key": "old"}).status_code == 200
    with server.sessionmaker() as s:
        row = s.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.workspace_id == ws.id, IdempotencyKey.key.endswith(":old")
            )
        ).one()
        row.created_at = utcnow() - timedelta(days=2)
        s.commit()
        assert prune_idempotency_keys(s, utcnow() - timedelta(days=1)) >= 1
        s.commit()
        assert s.scalar(select(IdempotencyKey).where(IdempotencyKey.id == row.id)) is None


def test_replayed_invite_keeps_no_token(server: Server, ws: TestWorkspace) -> None:
    from server.db.models import Invite
    from tests.support.customers import add_customer

    made = add_customer(
        server.sessionmaker, ws.id, "Ruth Alder", [("Ruth Alder", "ruth@example.com", None)]
    )
    url = f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite"
    c = ws.client("dispatcher")
    first = c.post(url, json={}, headers={"Idempotency-Key": "invite-ruth"})
    assert first.status_code in (200, 201), first.text
    token = first.json()["invite_url"].rsplit("/", 1)[1]
    replay = c.post(url, json={}, headers={"Idempotency-Key": "invite-ruth"})
    assert replay.status_code == first.status_code
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["invite_url"] is None
    with server.sessionmaker() as s:
        stored = s.scalar(select(IdempotencyKey).where(IdempotencyKey.key.endswith(":invite-ruth")))
        assert stored is not None and token not in str(stored.response_body)
        invites = s.scalar(
            select(func.count()).select_from(Invite).where(Invite.workspace_id == ws.id)
        )
    assert invites == 1
