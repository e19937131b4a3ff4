"""Visits of read-only pages, noted in memory and written together every few seconds.

A session's ``last_seen_at`` is written at most once a minute (``TOUCH_EVERY``), yet with many
customers signed in that is still a write transaction on some page every few requests, and a
commit waits for the disk: on a loaded machine the pages that wrote took tens of milliseconds
and held a page builder meanwhile. So the pages customers open most note the visit here and
go on; ``flush`` writes every noted visit in one statement (a background task of the app
calls it every ``FLUSH_SECONDS``, and once more at shutdown).

A noted visit never brings an ended session back: the write skips a session that was revoked,
or whose stored last visit is already older than the idle timeout before the noted one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import PortalSession
from server.domain.portal_sessions import IDLE_TIMEOUT, SessionState, touch_due

log = logging.getLogger("server.visit_notes")

FLUSH_SECONDS = 2.0

_NOTE = (
    update(PortalSession)
    .where(
        PortalSession.id == bindparam("session_id"),
        PortalSession.revoked_at.is_(None),
        PortalSession.last_seen_at < bindparam("seen"),
        PortalSession.last_seen_at > bindparam("idle_before"),
    )
    .values(last_seen_at=bindparam("seen"))
)


class VisitNotes:
    """Visits waiting to be written: session id -> when it was seen."""

    def __init__(self) -> None:
        self._waiting: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def due(self, state: SessionState, now: datetime) -> bool:
        """Whether this visit should be noted: the stored last visit is a minute old and no
        newer one waits here."""
        if not touch_due(state, now):
            return False
        with self._lock:
            waiting = self._waiting.get(state.session_id)
        return waiting is None or touch_due(_seen(state, waiting), now)

    def note(self, session_id: int, seen: datetime) -> None:
        """Remember a visit (the newest of a session wins)."""
        with self._lock:
            self._waiting[session_id] = seen

    def flush(self, factory: sessionmaker[Session]) -> int:
        """Write every waiting visit in one statement; how many were waiting."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        if not waiting:
            return 0
        rows = [
            {"session_id": sid, "seen": at, "idle_before": at - IDLE_TIMEOUT}
            for sid, at in waiting.items()
        ]
        with factory() as db:
            db.connection().execute(_NOTE, rows)
            db.commit()
        return len(rows)

    def __len__(self) -> int:
        return len(self._waiting)


def _seen(state: SessionState, at: datetime) -> SessionState:
    return SessionState(
        state.session_id,
        state.created_at,
        at,
        state.expires_at,
        state.revoked_at,
        state.is_preview,
        state.account_status,
        state.password_changed_at,
    )


async def keep_writing(
    notes: VisitNotes, factory: sessionmaker[Session]
) -> Callable[[], Awaitable[None]]:
    """Flush ``notes`` every ``FLUSH_SECONDS`` until the returned coroutine function is
    awaited (which flushes once more)."""
    stop_event = asyncio.Event()

    async def flush() -> None:
        try:
            await asyncio.to_thread(notes.flush, factory)
        except Exception:
            log.exception("noting portal visits failed; will try again")

    async def loop() -> None:
        while not stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), FLUSH_SECONDS)
            await flush()

    task = asyncio.create_task(loop(), name="visit-notes")

    async def stop() -> None:
        stop_event.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
