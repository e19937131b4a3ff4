"""Background sender of held invites: after a go-live, and after a restart that cut one short.

A background starter of the app. It sends in batches (``domain.held_invites.release_batch``,
each batch its own transaction, run in a worker thread) until no live workspace has held
invites left, then sleeps until a go-live in this process wakes it, or ``POLL_SECONDS`` pass
(a go-live answered by another worker process, or a run a restart cut short). Every worker may
run it at once: an invite is claimed before it is sent, so none goes out twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from server.domain import held_invites
from server.settings import Settings

log = logging.getLogger("server.held_invites")

POLL_SECONDS = 10.0


class HeldInviteSender:
    """Wakes on a go-live; sends every waiting held invite of every live workspace."""

    def __init__(
        self, factory: sessionmaker[Session], reader: sessionmaker[Session], settings: Settings
    ) -> None:
        self.factory = factory
        # The poll only reads: on SQLite it must not take the write lock every few seconds.
        self.reader = reader
        # Links are built on the configured public address (``serve`` always sets one); a
        # server without one uses the address the go-live request came in on.
        self.base_url = (settings.public_base_url or "").rstrip("/")
        # The batch size can be lowered, and a pause put between batches, to watch a run
        # halfway (the restart test does: a fast disk sends a few hundred in a blink).
        self.batch = int(os.environ.get("PORTAL_HELD_INVITE_BATCH", held_invites.BATCH))
        self.pause = float(os.environ.get("PORTAL_HELD_INVITE_PAUSE", 0))
        self.sent = 0
        self._wake = asyncio.Event()
        self.stopping = threading.Event()  # checked between batches, in the worker thread

    def wake(self, base_url: str) -> None:
        """A portal just went live: send its held invites now."""
        if not self.base_url:
            self.base_url = base_url.rstrip("/")
        self._wake.set()

    def send_waiting(self) -> int:
        """Send every held invite waiting in a live workspace (blocking; in a thread)."""
        total = 0
        if not self.base_url:
            return 0  # no address to build links on yet: the next go-live request gives one
        with self.reader() as session:
            workspaces = held_invites.workspaces_to_release(session)
        for ws_id in workspaces:
            while not self.stopping.is_set():
                with self.factory() as session:
                    sent = held_invites.release_batch(session, ws_id, self.base_url, self.batch)
                if not sent:
                    break
                total += sent
                self.sent += sent
                log.info("held invites sent", extra={"workspace_id": ws_id, "sent": sent})
                if self.pause:
                    self.stopping.wait(self.pause)
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Send, then wait for a wake-up or the next poll, until ``stop`` is set."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await asyncio.to_thread(self.send_waiting)
            except OperationalError as exc:  # the database busy or away: nothing was lost
                log.warning("held invites wait for the database (%s); trying again", exc.orig)
            except Exception:
                log.exception("sending held invites failed; will try again")
            waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, stop)]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED), POLL_SECONDS
                )
            for w in waits:
                w.cancel()


async def start(app: FastAPI) -> Callable[[], Awaitable[None]]:
    """Background starter: the sender runs while the app runs (it resumes unfinished work)."""
    state = app.state
    sender = HeldInviteSender(state.sessionmaker, state.read_sessionmaker, state.settings)
    app.state.held_invite_sender = sender
    stop_event = asyncio.Event()
    task = asyncio.create_task(sender.run(stop_event), name="held-invites")

    async def stop() -> None:
        stop_event.set()
        sender.stopping.set()  # the batch being written finishes; the rest waits for next start
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return stop
