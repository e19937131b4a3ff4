"""Staff outbox API: list with status filter and links, retry, permissions, bad input.

The shared test server has no SMTP configured, so everything it queues stays pending.
"""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from server.db.models import OutboxEmail
from server.domain.messages import Message
from server.domain.outbox import queue_email
from tests.server.conftest import Server
from tests.support.customers import add_customer, set_role_permissions
from tests.support.workspaces import TestWorkspace, make_workspace


def queue(server: Server, ws: TestWorkspace, n: int, status: str = "pending") -> list[int]:
    ids = []
    with server.sessionmaker() as s:
        for i in range(n):
            r = queue_email(
                s, ws.id, "invite", f"c{i}@example.com",
                Message(f"Subject {i}", "text", "<p>html</p>", f"http://portal/p/x/invite/tok{i}"),
            )  # fmt: skip
            r.status = status
            ids.append(r.id)
        s.commit()
    return ids


def test_without_smtp_mail_stays_pending_with_its_link(server: Server, ws: TestWorkspace) -> None:
    made = add_customer(
        server.sessionmaker, ws.id, "Lee Park", [("Lee Park", "lee@example.com", None)]
    )
    r = ws.client("dispatcher").post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite")
    assert r.status_code == 201
    link = r.json()["invite_url"]
    time.sleep(1.0)  # longer than any sender poll: nothing may pick it up
    page = ws.client("dispatcher").get("/api/v1/outbox").json()
    [mail] = page["data"]
    assert mail["status"] == "pending" and mail["attempts"] == 0 and mail["last_error"] is None
    assert mail["link"] == link and mail["to_address"] == "lee@example.com"
    assert mail["kind"] == "invite" and mail["customer_id"] == made.customer_id


def test_list_filters_and_pages(server: Server, ws: TestWorkspace) -> None:
    pending = queue(server, ws, 3)
    sent = queue(server, ws, 2, "sent")
    failed = queue(server, ws, 1, "failed")
    c = ws.client("manager")
    everything = c.get("/api/v1/outbox").json()
    assert everything["count"] == 6
    assert [e["id"] for e in everything["data"]] == sorted(pending + sent + failed, reverse=True)
    by_status = {
        s: c.get("/api/v1/outbox", params={"status": s}).json()
        for s in ("pending", "sent", "failed")
    }
    assert sorted(e["id"] for e in by_status["pending"]["data"]) == pending
    assert sorted(e["id"] for e in by_status["sent"]["data"]) == sent
    assert [e["id"] for e in by_status["failed"]["data"]] == failed
    assert all(e["link"] for e in by_status["pending"]["data"] + by_status["failed"]["data"])
    assert all(e["link"] is None for e in by_status["sent"]["data"])  # delivered: not shown again
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = c.get("/api/v1/outbox", params=params).json()
        assert page["count"] == 6
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(pending + sent + failed, reverse=True)


def test_other_workspaces_mail_is_invisible(server: Server, ws: TestWorkspace) -> None:
    other = make_workspace(server.sessionmaker, server.url)
    try:
        [theirs] = queue(server, other, 1, "failed")
        queue(server, ws, 1)
        assert theirs not in [e["id"] for e in ws.client().get("/api/v1/outbox").json()["data"]]
        r = ws.client().post(f"/api/v1/outbox/{theirs}/retry")
        assert r.status_code == 404 and r.json()["detail"]
        with server.sessionmaker() as s:
            assert s.get(OutboxEmail, theirs).status == "failed"  # type: ignore[union-attr]
    finally:
        other.close()


def test_retry(server: Server, ws: TestWorkspace) -> None:
    [failed] = queue(server, ws, 1, "failed")
    [sent] = queue(server, ws, 1, "sent")
    with server.sessionmaker() as s:
        row = s.get(OutboxEmail, failed)
        assert row is not None
        row.attempts, row.last_error = 8, "SMTPConnectError: refused"
        s.commit()
    r = ws.client("dispatcher").post(f"/api/v1/outbox/{failed}/retry")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "pending" and body["attempts"] == 0 and body["link"]
    r = ws.client("dispatcher").post(f"/api/v1/outbox/{sent}/retry")
    assert r.status_code == 409 and "already delivered" in r.json()["detail"]
    assert ws.client().post("/api/v1/outbox/999999999/retry").status_code == 404
    with server.sessionmaker() as s:
        from server.db.models import AuditEvent

        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)))
        assert actions.count("mail.retry") == 1


def test_bad_input_and_permissions(server: Server, ws: TestWorkspace, anon: httpx.Client) -> None:
    c = ws.client()
    r = c.get("/api/v1/outbox", params={"status": "lost"})
    assert r.status_code == 422 and "status" in r.json()["errors"]
    r = c.get("/api/v1/outbox", params={"cursor": "abc"})
    assert r.status_code == 422 and r.json()["detail"]
    assert c.get("/api/v1/outbox", params={"limit": 0}).status_code == 422
    assert c.get("/api/v1/outbox", params={"limit": 201}).status_code == 422
    assert c.post("/api/v1/outbox/not-a-number/retry").status_code == 422
    assert anon.get("/api/v1/outbox").status_code == 401
    assert anon.post("/api/v1/outbox/1/retry").status_code == 401
    set_role_permissions(server.sessionmaker, ws.id, "dispatcher", ["view_customers"])
    r = ws.client("dispatcher").get("/api/v1/outbox")
    assert r.status_code == 403 and "view mail" in r.json()["detail"]
    [mine] = queue(server, ws, 1, "failed")
    assert ws.client("dispatcher").post(f"/api/v1/outbox/{mine}/retry").status_code == 403


def test_reset_links_are_never_shown_to_staff(server: Server, ws: TestWorkspace) -> None:
    with server.sessionmaker() as s:
        row = queue_email(
            s, ws.id, "reset", "c@example.com",
            Message("Reset", "text", "<p>html</p>", "http://portal/p/x/reset/secret-token"),
        )  # fmt: skip
        s.commit()
        reset_id = row.id
    for status in ("pending", "failed"):
        page = ws.client("owner").get("/api/v1/outbox", params={"status": status}).json()
        for mail in page["data"]:
            assert mail["kind"] != "reset" or mail["link"] is None
    [mail] = [
        m for m in ws.client("owner").get("/api/v1/outbox").json()["data"] if m["id"] == reset_id
    ]
    assert mail["link"] is None and mail["status"] == "pending"
    assert "secret-token" not in ws.client("owner").get("/api/v1/outbox").text
