"""A worker that retires mid-batch (rolling restart, shutdown) hands its unsent mail back.

Without this, every row it had claimed but not yet tried waited out the five-minute lease
before another worker sent it: a rolling restart delayed mail by minutes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from server.app import create_app
from server.db import migrate
from server.db.base import utcnow
from server.db.models import OutboxEmail
from server.domain.messages import Message
from server.domain.outbox import queue_email
from server.mail.sender import OutboxSender, RetryPolicy, SmtpConfig
from server.settings import Settings
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port
from tests.support.smtp import smtp_server
from tests.support.workspaces import make_workspace

SMTP_PORT = free_port()
SMTP = SmtpConfig("127.0.0.1", SMTP_PORT, None, None, False, "portal@toolbag.example")


@pytest.fixture(params=BACKENDS)
def outbox(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[object, list[int]]]:
    """A database with five queued emails and no background sender (the app is not served)."""
    with temporary_database(request.param, tmp_path) as url:
        app = create_app(Settings(database_url=url, public_base_url="http://127.0.0.1:9"))
        migrate.upgrade(app.state.engine)
        factory = app.state.sessionmaker
        ws = make_workspace(factory, "http://127.0.0.1:9")
        with factory() as s:
            ids = [
                queue_email(
                    s, ws.id, "test", f"m{i}@example.com", Message(f"M{i}", "t\n", "<p>h</p>")
                ).id
                for i in range(5)
            ]
            s.commit()
        yield factory, ids, request.param
        ws.close()
        app.state.engine.dispose()


def _rows(factory, ids: list[int]) -> list[OutboxEmail]:
    with factory() as s:
        return [s.get(OutboxEmail, i) for i in ids]


class _Retiring(OutboxSender):
    """Told to stop (as a retiring worker is) while its first message is being sent."""

    def __init__(self, *args, stop: asyncio.Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stop = stop

    async def deliver(self, message: EmailMessage) -> None:
        await super().deliver(message)
        self.stop.set()


def test_stop_mid_batch_hands_the_untried_rows_back_at_once(outbox) -> None:
    factory, ids, backend = outbox
    with smtp_server(SMTP_PORT) as inbox:

        async def retire() -> int:
            stop = asyncio.Event()
            sender = _Retiring(
                factory, SMTP, RetryPolicy(3, 1), skip_locked=backend == "postgresql", stop=stop
            )
            return await sender.run_once(stop)

        assert asyncio.run(retire()) == 5
        rows = _rows(factory, ids)
        assert [r.status for r in rows].count("sent") == 1
        back = [r for r in rows if r.status == "pending"]
        assert len(back) == 4
        # Due now, with no attempt counted: the next worker sends them at once.
        assert all(r.attempts == 0 and r.next_attempt_at <= utcnow() for r in back)
        # The next worker's pass sends the rest; every message arrives exactly once.
        sender = OutboxSender(factory, SMTP, RetryPolicy(3, 1), skip_locked=backend == "postgresql")
        assert asyncio.run(sender.run_once()) == 4
        assert sorted(m["Subject"] for m in inbox.messages) == [f"M{i}" for i in range(5)]


def test_a_cancelled_pass_keeps_the_lease_only_on_the_row_in_flight(outbox) -> None:
    factory, ids, backend = outbox

    class Stuck(OutboxSender):
        async def deliver(self, message: EmailMessage) -> None:
            await asyncio.sleep(60)  # the mail server hangs; the worker is shut down

    async def cancel_mid_send() -> None:
        sender = Stuck(factory, SMTP, RetryPolicy(3, 1), skip_locked=backend == "postgresql")
        task = asyncio.create_task(sender.run_once())
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_mid_send())
    rows = _rows(factory, ids)
    leased = [r for r in rows if r.attempts == 1]
    assert len(leased) == 1 and leased[0].next_attempt_at > utcnow()  # may have been sent
    assert all(r.attempts == 0 and r.next_attempt_at <= utcnow() for r in rows if r not in leased)
    assert all(r.status == "pending" for r in rows)


def test_an_address_the_mail_library_refuses_fails_that_row_and_the_batch_goes_on(outbox) -> None:
    # Such a row used to stay leased with no error, claimed again every five minutes, unseen.
    factory, ids, backend = outbox
    with factory() as s:
        ws_id = s.get(OutboxEmail, ids[0]).workspace_id
        bad = queue_email(s, ws_id, "test", "x@@example.com", Message("Bad", "t\n", "<p>h</p>"))
        s.commit()
        bad_id = bad.id
    with smtp_server(SMTP_PORT) as inbox:
        sender = OutboxSender(factory, SMTP, RetryPolicy(3, 1), skip_locked=backend == "postgresql")
        assert asyncio.run(sender.run_once()) == 6
        received = sorted(m["Subject"] for m in inbox.messages)
    (failed,) = _rows(factory, [bad_id])
    assert failed.status == "failed" and failed.attempts == 1
    assert "ValueError" in (failed.last_error or "")
    assert received == [f"M{i}" for i in range(5)]
    assert all(r.status == "sent" for r in _rows(factory, ids))
