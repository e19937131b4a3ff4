"""Periodic clean-up: old delete tombstones, idempotency keys, rate-limit counters, sessions,
and the mail outbox (delivered or failed emails are deleted after ``OUTBOX_KEEP``); then, on
SQLite, fresh statistics for the query planner (``planner_stats``).

Runs as a background starter of the app. With several workers each runs it; every step is
an idempotent bulk DELETE/UPDATE, so running it twice at once is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine, delete, func, or_
from sqlalchemy.orm import Session, sessionmaker

from server.db import planner_stats
from server.db.base import utcnow
from server.db.models import OutboxEmail, PortalSession, RateLimitHit, StaffToken
from server.domain.changes_feed import prune_tombstones
from server.domain.idempotency import KEEP, prune_idempotency_keys
from server.settings import Settings

log = logging.getLogger("server.housekeeping")

INTERVAL_SECONDS = 3600.0
FIRST_RUN_SECONDS = 60.0
RATE_LIMIT_KEEP = timedelta(days=1)
EXPIRED_KEEP = timedelta(days=7)
# Long enough for the office to answer "did you get my email?"; a finished email is only
# a record of what was said, and the audit log keeps that it was sent.
OUTBOX_KEEP = timedelta(days=30)


def sweep(factory: sessionmaker[Session], settings: Settings) -> dict[str, int]:
    """One pass of every clean-up step in one transaction; returns counts per step."""
    now = utcnow()
    with factory() as session:
        counts = {
            "tombstones": prune_tombstones(
                session, now - timedelta(days=settings.changes_retention_days)
            ),
            "idempotency_keys": prune_idempotency_keys(session, now - KEEP),
            "rate_limit_windows": _rowcount(
                session.execute(
                    delete(RateLimitHit).where(RateLimitHit.window_start < now - RATE_LIMIT_KEEP)
                )
            ),
            "portal_sessions": _rowcount(
                session.execute(
                    delete(PortalSession).where(
                        or_(
                            PortalSession.expires_at < now - EXPIRED_KEEP,
                            PortalSession.revoked_at < now - EXPIRED_KEEP,
                        )
                    )
                )
            ),
            "staff_tokens": _rowcount(
                session.execute(
                    delete(StaffToken).where(
                        or_(
                            StaffToken.expires_at < now - EXPIRED_KEEP,
                            StaffToken.revoked_at < now - EXPIRED_KEEP,
                        )
                    )
                )
            ),
            "outbox_emails": _rowcount(
                session.execute(
                    delete(OutboxEmail).where(
                        OutboxEmail.status.in_(("sent", "failed")),
                        func.coalesce(OutboxEmail.sent_at, OutboxEmail.created_at)
                        < now - OUTBOX_KEEP,
                    )
                )
            ),
        }
        session.commit()
        engine = session.get_bind()
    counts["planner_statistics"] = int(isinstance(engine, Engine) and planner_stats.refresh(engine))
    return counts


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def start(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Background starter: sweep a minute after start, then every hour."""
    factory: sessionmaker[Session] = app.state.sessionmaker
    settings: Settings = app.state.settings
    stop_event = asyncio.Event()

    async def loop() -> None:
        delay = FIRST_RUN_SECONDS
        while not stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), delay)
            if stop_event.is_set():
                return
            try:
                counts = await asyncio.to_thread(sweep, factory, settings)
                log.info("housekeeping", extra=counts)
            except Exception:
                log.exception("housekeeping pass failed; will try again")
            delay = INTERVAL_SECONDS

    task = asyncio.create_task(loop(), name="housekeeping")

    async def stop() -> None:
        stop_event.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
