"""Mail delivery over real SMTP (aiosmtpd): branded parts, retries, failures, exactly one copy.

A dedicated server per database runs the app's own background sender against a fixed local
port; each test starts (or does not start) the SMTP server on that port.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from server.app import create_app
from server.db import migrate
from server.db.models import OutboxEmail, Workspace
from server.domain.messages import Message
from server.domain.outbox import queue_email
from server.mail.sender import OutboxSender, RetryPolicy, SmtpConfig
from server.settings import Settings
from server.wire.branding import Branding
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port, serve_in_thread
from tests.support.payers import add_invoice, checkout_token, make_payer
from tests.support.smtp import smtp_server, wait_for
from tests.support.workspaces import TestWorkspace, make_workspace

SMTP_PORT = free_port()
MAX_ATTEMPTS = 4


@pytest.fixture(scope="module", params=BACKENDS)
def mail_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A portal server whose sender delivers to 127.0.0.1:SMTP_PORT, retrying quickly."""
    backend: str = request.param
    with temporary_database(backend, tmp_path_factory.mktemp(f"mail-{backend}")) as url:
        port = free_port()
        settings = Settings(
            database_url=url,
            public_base_url=f"http://127.0.0.1:{port}",
            smtp_host="127.0.0.1",
            smtp_port=SMTP_PORT,
            smtp_starttls=False,
            smtp_from="portal@toolbag.example",
            mail_max_attempts=MAX_ATTEMPTS,
            mail_retry_seconds=0.4,
            mail_poll_seconds=0.1,
        )
        app = create_app(settings)
        migrate.upgrade(app.state.engine)
        with serve_in_thread(app, port) as base:
            yield Server(backend, base, app, url)
        app.state.engine.dispose()


@pytest.fixture
def mws(mail_server: Server) -> Iterator[TestWorkspace]:
    w = make_workspace(mail_server.sessionmaker, mail_server.url)
    with mail_server.sessionmaker() as s:
        ws = s.get(Workspace, w.id)
        assert ws is not None
        ws.branding = Branding(
            brand_name="Acme <Heating>",
            primary_color="#7a1f5c",
            accent_color="#f2c94c",
            phone="+1 555 0100",
            email="office@acme-heating.example",
            address="1 Boiler Road, Springfield",
            hours="Mon-Fri 8am-5pm",
        ).model_dump()
        s.commit()
    yield w
    w.close()


def row(server: Server, outbox_id: int) -> OutboxEmail:
    with server.sessionmaker() as s:
        r = s.get(OutboxEmail, outbox_id)
        assert r is not None
        return r


def queue(server: Server, ws: TestWorkspace, to: str, subject: str = "Hello") -> int:
    with server.sessionmaker() as s:
        r = queue_email(s, ws.id, "test", to, Message(subject, "text body\n", "<p>html body</p>"))
        s.commit()
        return r.id


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_invite_email_is_delivered_branded(mail_server: Server, mws: TestWorkspace) -> None:
    made = add_customer(
        mail_server.sessionmaker, mws.id, "Pat Doe", [("Pat Doe", "pat@example.com", None)]
    )
    with smtp_server(SMTP_PORT) as inbox:
        r = mws.client("dispatcher").post(f"/api/v1/contacts/{made.contact_ids[0]}/portal-invite")
        assert r.status_code == 201, r.text
        link = r.json()["invite_url"]
        [message] = wait_for(lambda: inbox.to("pat@example.com"), what="the invite")
    assert message["Subject"] == "Your Acme <Heating> customer portal is ready"
    assert message["From"].addresses[0].display_name == "Acme <Heating>"
    assert message["From"].addresses[0].addr_spec == "portal@toolbag.example"
    assert message["Reply-To"].addresses[0].addr_spec == "office@acme-heating.example"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    for body in (text, html):
        assert link in body and "7 days" in body
        assert "+1 555 0100" in body and "Mon-Fri 8am-5pm" in body
    assert "Hello Pat Doe" in text and "Acme <Heating>" in text and "<p" not in text
    assert "Acme &lt;Heating&gt;" in html and "<Heating>" not in html  # escaped, never markup
    assert "#7a1f5c" in html and "#f2c94c" in html
    assert f'href="{link}"' in html

    def outbox_row() -> OutboxEmail | None:
        with mail_server.sessionmaker() as s:
            return s.scalar(select(OutboxEmail).where(OutboxEmail.workspace_id == mws.id))

    # The mail server holds the message before the sender records it as sent: wait for that.
    wait_for(lambda: (r := outbox_row()) is not None and r.status != "pending", what="the record")
    sent = outbox_row()
    assert sent is not None and sent.status == "sent" and sent.attempts == 1
    assert sent.sent_at is not None and message["Message-ID"] == sent.message_id


def test_receipt_email_after_a_sandbox_payment(mail_server: Server, mws: TestWorkspace) -> None:
    payer = make_payer(mail_server.sessionmaker, mail_server.url, mws.id)
    try:
        inv_id = add_invoice(mail_server.sessionmaker, payer, 23_456)
        with smtp_server(SMTP_PORT) as inbox:
            token = checkout_token(payer.post(f"{payer.base}/invoices/{inv_id}/pay"))
            card = {"number": "4242424242424242", "expiry": "10/40", "cvc": "321"}
            assert payer.post(f"{payer.base}/checkout/{token}", card).status_code == 303
            [message] = wait_for(lambda: inbox.to(payer.email), what="the receipt")
    finally:
        payer.close()
    assert message["Subject"] == "Receipt for your payment of $234.56 to Acme <Heating>"
    text, html = parts(message)
    for body in (text, html):
        assert "$234.56" in body and "R-" in body and "TEST MODE" in body
        assert "Visa ending 4242" in body
        assert f"{mail_server.url}{payer.base}/receipts/" in body


def test_smtp_down_keeps_mail_pending_until_it_returns(
    mail_server: Server, mws: TestWorkspace
) -> None:
    oid = queue(mail_server, mws, "wait@example.com")
    first = wait_for(
        lambda: (r := row(mail_server, oid)).attempts >= 1 and r.last_error and r,
        what="a failed attempt",
    )
    assert first.status == "pending"
    assert first.next_attempt_at > first.created_at
    assert "127.0.0.1" in first.last_error or "onnect" in first.last_error
    with smtp_server(SMTP_PORT) as inbox:
        wait_for(lambda: row(mail_server, oid).status == "sent", what="delivery after recovery")
        assert len(inbox.to("wait@example.com")) == 1
    done = row(mail_server, oid)
    assert 2 <= done.attempts <= MAX_ATTEMPTS


def test_failed_after_n_attempts_then_staff_retry(mail_server: Server, mws: TestWorkspace) -> None:
    oid = queue(mail_server, mws, "later@example.com", "Your link")
    wait_for(lambda: row(mail_server, oid).status == "failed", what="failure")
    failed = row(mail_server, oid)
    assert failed.attempts == MAX_ATTEMPTS and failed.last_error
    listed = mws.client("dispatcher").get("/api/v1/outbox", params={"status": "failed"}).json()
    assert [e["id"] for e in listed["data"]] == [oid]
    assert listed["data"][0]["last_error"] == failed.last_error
    with smtp_server(SMTP_PORT) as inbox:
        r = mws.client("dispatcher").post(f"/api/v1/outbox/{oid}/retry")
        assert (
            r.status_code == 200 and r.json()["status"] == "pending" and r.json()["attempts"] == 0
        )
        wait_for(lambda: row(mail_server, oid).status == "sent", what="delivery after retry")
        assert len(inbox.to("later@example.com")) == 1
    assert row(mail_server, oid).attempts == 1


def test_a_refused_mailbox_fails_at_once(mail_server: Server, mws: TestWorkspace) -> None:
    with smtp_server(SMTP_PORT) as inbox:
        inbox.refuse.add("nobody@example.com")
        oid = queue(mail_server, mws, "nobody@example.com")
        wait_for(lambda: row(mail_server, oid).status == "failed", what="permanent failure")
    failed = row(mail_server, oid)
    assert failed.attempts == 1 and "550" in (failed.last_error or "")


def test_concurrent_senders_deliver_each_message_once(
    mail_server: Server, mws: TestWorkspace
) -> None:
    with smtp_server(SMTP_PORT) as inbox:
        ids = [queue(mail_server, mws, f"bulk{i}@example.com", f"Message {i}") for i in range(30)]
        smtp = SmtpConfig("127.0.0.1", SMTP_PORT, None, None, False, "portal@toolbag.example")
        senders = [
            OutboxSender(
                mail_server.sessionmaker,
                smtp,
                RetryPolicy(MAX_ATTEMPTS, 0.4),
                skip_locked=mail_server.backend == "postgresql",
                batch=5,
            )
            for _ in range(3)
        ]

        async def drain() -> None:
            for _ in range(10):
                await asyncio.gather(*(s.run_once() for s in senders))

        asyncio.run(drain())  # racing the app's own background sender too
        wait_for(lambda: all(row(mail_server, i).status == "sent" for i in ids), what="all sent")
        received = [m["Subject"] for m in inbox.messages if m["To"].startswith("bulk")]
    assert sorted(received) == sorted(f"Message {i}" for i in range(30))


def _mail_items(mws: TestWorkspace) -> list[dict[str, object]]:
    page = mws.client("dispatcher").get("/api/v1/follow-ups", params={"kind": "mail_failed"})
    assert page.status_code == 200, page.text
    data: list[dict[str, object]] = page.json()["data"]
    return data


def test_mail_given_up_on_is_filed_once_and_reopened_when_it_fails_again(
    mail_server: Server, mws: TestWorkspace
) -> None:
    with smtp_server(SMTP_PORT) as inbox:
        inbox.refuse.add("gone@example.com")
        oid = queue(mail_server, mws, "gone@example.com", "Your invitation")
        wait_for(lambda: len(_mail_items(mws)) == 1, what="the follow-up item")
        (item,) = _mail_items(mws)
        assert item["outbox_id"] == oid and item["state"] == "open"
        assert item["title"] == "Email to gone@example.com could not be sent: Your invitation"
        details = item["details"]
        assert isinstance(details, dict) and "550" in str(details["error"])
        assert details["to_address"] == "gone@example.com" and details["attempts"] == 1
        done = mws.client("dispatcher").patch(
            f"/api/v1/follow-ups/{item['id']}",
            json={"state": "done", "note": "Asked for a new address"},
            headers={"If-Match": f'"{item["version"]}"'},
        )
        assert done.status_code == 200
        assert mws.client("dispatcher").post(f"/api/v1/outbox/{oid}/retry").status_code == 200
        wait_for(
            lambda: _mail_items(mws)[0]["state"] == "open", what="the item reopened by a retry"
        )
    assert len(_mail_items(mws)) == 1


def test_cancel_stops_an_email_and_closes_its_item(mail_server: Server, mws: TestWorkspace) -> None:
    client = mws.client("dispatcher")
    with smtp_server(SMTP_PORT) as inbox:
        inbox.refuse.add("typo@exampel.com")
        oid = queue(mail_server, mws, "typo@exampel.com")
        wait_for(lambda: row(mail_server, oid).status == "failed", what="permanent failure")
        wait_for(lambda: len(_mail_items(mws)) == 1, what="the follow-up item")
        sent = queue(mail_server, mws, "fine@example.com")
        wait_for(lambda: row(mail_server, sent).status == "sent", what="delivery")
    r = client.post(f"/api/v1/outbox/{oid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["link"] is None
    (item,) = _mail_items(mws)
    assert item["state"] == "done" and item["done_note"] == "The email was cancelled."
    again = client.post(f"/api/v1/outbox/{oid}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    retry = client.post(f"/api/v1/outbox/{oid}/retry")
    assert retry.status_code == 409 and "cancelled" in retry.json()["detail"]
    delivered = client.post(f"/api/v1/outbox/{sent}/cancel")
    assert delivered.status_code == 409 and "already delivered" in delivered.json()["detail"]
    assert client.post("/api/v1/outbox/987654321/cancel").status_code == 404
    listed = client.get("/api/v1/outbox", params={"status": "cancelled"}).json()
    assert [e["id"] for e in listed["data"]] == [oid]


def test_a_pending_email_can_be_cancelled_before_it_goes(
    mail_server: Server, mws: TestWorkspace
) -> None:
    # No SMTP server: the email waits, pending. Cancelled, it is never sent after all.
    oid = queue(mail_server, mws, "wait@example.com")
    r = mws.client("dispatcher").post(f"/api/v1/outbox/{oid}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    with smtp_server(SMTP_PORT) as inbox:
        later = queue(mail_server, mws, "after@example.com")
        wait_for(lambda: row(mail_server, later).status == "sent", what="the later email")
        assert inbox.to("wait@example.com") == []
    assert row(mail_server, oid).status == "cancelled"
