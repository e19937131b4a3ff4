"""Delivers the outbox over SMTP: claim due rows, send, then mark sent or schedule a retry.

This package is only the sender: the domain writes outbox rows (``server.domain.outbox``) in
the transaction of their cause, and nothing here imports the domain back.

A row is claimed by pushing its ``next_attempt_at`` a lease ahead and counting the attempt, in
one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never claim the
same row; on SQLite the write lock serialises claims). If the process dies mid-send the lease
runs out and the row is tried again: delivery is at least once and no message is lost.

A sent row keeps no working link: marking it sent removes the link from the row and from both
bodies, in the same UPDATE (a link is a secret until it is used; the mailbox holds it now).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

import aiosmtplib
from fastapi import FastAPI
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from server.db.base import utcnow
from server.db.models import OutboxEmail, Workspace
from server.settings import Settings
from server.wire.branding import Branding, default_branding

log = logging.getLogger("server.mail")

LEASE = timedelta(minutes=5)

# Told, in the sender's transaction, of an email given up on: ``(session, outbox_id)``. The
# application passes the domain's function in (``server.app``); this package imports no
# domain code.
FailureHook = Callable[[Session, int], object]
LINK_REMOVED = "(link removed after sending)"


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to hand mail over."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    from_address: str
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """The SMTP settings, or None when no server is configured (mail stays pending)."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
            settings.smtp_from,
        )


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long to wait between them."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0

    def delay(self, attempts: int) -> float:
        """Exponential backoff with jitter, so many failed rows do not retry in lockstep."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class Claimed:
    """A claimed row, copied out of its transaction."""

    id: int
    attempts: int
    message: EmailMessage


def _build(row: OutboxEmail, brand_name: str, reply_to: str | None, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((brand_name, sender))
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = row.message_id or f"<outbox-{row.id}@toolbag-portal>"
    msg["Auto-Submitted"] = "auto-generated"
    if reply_to:
        msg["Reply-To"] = formataddr((brand_name, reply_to))
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    return msg


def _sender_identity(ws: Workspace) -> tuple[str, str | None]:
    """The brand name and reply-to address of the workspace's published branding."""
    branding = Branding.model_validate(ws.branding) if ws.branding else default_branding(ws.name)
    return branding.brand_name, branding.email


def _scrubbed(column: Any) -> Any:
    """A body with its link replaced (SQL, so a sent row is scrubbed in the one UPDATE)."""
    return case(
        (OutboxEmail.link.is_(None), column),
        else_=func.replace(column, OutboxEmail.link, LINK_REMOVED),
    )


def _permanent(error: Exception) -> bool:
    """A 5xx answer (such as an unknown mailbox) will not change on retry, nor will a message
    the mail library refuses to send at all (an address it cannot parse raises ValueError)."""
    if not isinstance(error, aiosmtplib.SMTPException | OSError):
        return True
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600


class OutboxSender:
    """Sends due outbox rows; ``run_once`` is one pass, ``run`` loops until stopped."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        smtp: SmtpConfig,
        policy: RetryPolicy,
        *,
        skip_locked: bool,
        batch: int = 20,
        on_failed: FailureHook | None = None,
    ) -> None:
        self._factory = factory
        self._smtp = smtp
        self._policy = policy
        self._skip_locked = skip_locked
        self._batch = batch
        self._on_failed = on_failed

    def claim(self) -> list[Claimed]:
        """Take up to one batch of due pending rows and lease them to this sender."""
        now = utcnow()
        query = (
            select(OutboxEmail, Workspace)
            .join(Workspace, Workspace.id == OutboxEmail.workspace_id)
            .where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(self._batch)
        )
        if self._skip_locked:
            query = query.with_for_update(skip_locked=True, of=OutboxEmail)
        claimed: list[Claimed] = []
        with self._factory() as session:
            for row, ws in session.execute(query).all():
                row.attempts += 1
                row.next_attempt_at = now + LEASE
                brand_name, reply_to = _sender_identity(ws)
                message = _build(row, brand_name, reply_to, self._smtp.from_address)
                claimed.append(Claimed(row.id, row.attempts, message))
            session.commit()
        return claimed

    async def deliver(self, message: EmailMessage) -> None:
        """Hand one message to the SMTP server; raises on any failure."""
        smtp = self._smtp
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.port == 465,
            start_tls=False if smtp.port == 465 else smtp.starttls,
            timeout=smtp.timeout,
        )

    def finish(self, item: Claimed, error: Exception | None) -> None:
        """Mark a claimed row sent, or schedule its retry, or give up on it."""
        now = utcnow()
        values: dict[str, object]
        if error is None:
            values = {
                "status": "sent",
                "sent_at": now,
                "last_error": None,
                "body_text": _scrubbed(OutboxEmail.body_text),
                "body_html": _scrubbed(OutboxEmail.body_html),
                "link": None,
            }
        else:
            text = f"{type(error).__name__}: {error}"[:1000]
            if _permanent(error) or item.attempts >= self._policy.max_attempts:
                values = {"status": "failed", "last_error": text}
            else:
                wait = timedelta(seconds=self._policy.delay(item.attempts))
                values = {"next_attempt_at": now + wait, "last_error": text}
        with self._factory() as session:
            # Only the claim that is still current may finish the row (a staff retry resets it).
            finished = session.execute(
                update(OutboxEmail)
                .where(
                    OutboxEmail.id == item.id,
                    OutboxEmail.status == "pending",
                    OutboxEmail.attempts == item.attempts,
                )
                .values(**values)
            )
            gave_up = values.get("status") == "failed" and finished.rowcount == 1  # type: ignore[attr-defined]
            if gave_up and self._on_failed is not None:
                # In the same transaction: the row is failed and the office is told, or
                # neither (the next pass tries again).
                self._on_failed(session, item.id)
            session.commit()

    def release(self, items: list[Claimed]) -> None:
        """Hand claimed rows that were never tried back at once, as if never claimed."""
        with self._factory() as session:
            for item in items:
                session.execute(
                    update(OutboxEmail)
                    .where(
                        OutboxEmail.id == item.id,
                        OutboxEmail.status == "pending",
                        OutboxEmail.attempts == item.attempts,
                    )
                    .values(attempts=item.attempts - 1, next_attempt_at=utcnow())
                )
            session.commit()

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """One pass: claim, send and finish every due row; returns how many were claimed.

        When ``stop`` is set mid-batch (a worker retiring in a rolling restart) or the pass is
        cancelled, the rows not yet tried go back to the outbox at once, for another worker,
        instead of waiting out their lease. A row being sent at that moment keeps its lease: it
        may have reached the mail server, and sending it again could duplicate it.
        """
        items = await asyncio.to_thread(self.claim)
        tried = 0
        try:
            for item in items:
                if stop is not None and stop.is_set():
                    break
                tried += 1
                error: Exception | None = None
                try:
                    await self.deliver(item.message)
                except Exception as exc:
                    # Whatever went wrong is this row's outcome: a row left leased with no
                    # error recorded would be claimed again every lease, for ever, unseen.
                    error = exc
                    log.warning(
                        "mail delivery failed", extra={"outbox_id": item.id, "error": str(exc)}
                    )
                await asyncio.to_thread(self.finish, item, error)
        finally:
            if items[tried:]:
                # Blocking, briefly: a cancelled pass must not be cancelled again mid-release.
                self.release(items[tried:])
        return len(items)

    async def run(self, stop: asyncio.Event, poll_seconds: float) -> None:
        """Send until ``stop`` is set, looking for due mail every ``poll_seconds``."""
        while not stop.is_set():
            try:
                busy = await self.run_once(stop)
            except Exception:
                # The database may be briefly unreachable; the rows wait, try again later.
                log.exception("mail sender pass failed")
                busy = 0
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)


async def start(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Background starter: run the sender while the app runs (nothing without SMTP)."""
    settings: Settings = app.state.settings
    smtp = SmtpConfig.from_settings(settings)
    if smtp is None:
        log.info("no SMTP server configured; portal mail stays pending in the outbox")

        async def nothing() -> None:
            return None

        return nothing
    policy = RetryPolicy(settings.mail_max_attempts, settings.mail_retry_seconds)
    sender = OutboxSender(
        app.state.sessionmaker,
        smtp,
        policy,
        skip_locked=not settings.is_sqlite,
        on_failed=getattr(app.state, "mail_failed_hook", None),
    )
    stop_event = asyncio.Event()
    task = asyncio.create_task(sender.run(stop_event, settings.mail_poll_seconds), name="mail")

    async def stop() -> None:
        stop_event.set()
        try:
            await asyncio.wait_for(task, 30)
        except TimeoutError:
            task.cancel()

    return stop
