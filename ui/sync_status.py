"""The sync part of the console controller: what the status bar and banners say about the
connection, and what follows when the server answers again."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from app import known_sessions
from app.errors import ApiError, AuthExpired
from app.session import StaffSession
from app.sync import SyncState

log = logging.getLogger(__name__)


def _since(moment: datetime | None) -> str:
    return f" · last heard {moment.astimezone():%H:%M}" if moment else ""


class SyncStatus:
    """Mixed into ``Console``: follows the sync engine and tells the window."""

    last_sync: datetime | None
    _confirm: tuple[str, str] | None
    _confirm_task: asyncio.Task[None] | None
    _offline_messages: set[str]

    def sync_now(self: Any) -> None:
        """Check for changes now (View ▸ Sync now, Retry now)."""
        if self.sync is not None:
            self.sync.wake()

    def _on_sync_state(self: Any, state: SyncState) -> None:
        if self.sync is None:
            return
        if state == SyncState.ONLINE:
            self.last_sync = datetime.now()
            self.window.hide_offline()
            self.window.hide_error_if(self._offline_messages)
            self._offline_messages.clear()
            self.window.hide_work()
            self._on_sync_checked()
            if self._confirm is not None:
                self._confirm_task = asyncio.get_running_loop().create_task(
                    self._confirm_session(*self._confirm), name="confirm-session"
                )
                self._confirm = None
        elif state == SyncState.SYNCING:
            self.window.hide_offline()
            self.window.set_sync_text("Syncing…", self._heard_text())
        else:
            error = self.sync.last_error
            if isinstance(error, AuthExpired):
                self.window.set_sync_text("Sign-in needed")
                return
            heard = self.sync.last_heard
            self.window.hide_work()
            if state == SyncState.OFFLINE:
                text = error.message if error else "The server cannot be reached."
                self.window.set_sync_text(f"Offline{_since(heard)}", text)
                self.window.show_offline(text, heard, self.sync_now)
            else:
                text = error.message if error else "The last sync did not finish."
                self.window.set_sync_text("Sync problem", text)
                self.window.show_sync_problem(text, heard, self.sync_now)

    def _on_sync_checked(self: Any) -> None:
        """A sync round ended well: say when the console last heard from the server."""
        if self.sync is None or self.sync.state != SyncState.ONLINE:
            return
        self.last_sync = datetime.now()
        heard = self.sync.last_heard
        when = f"{heard.astimezone():%H:%M}" if heard else "now"
        self.window.set_sync_text(f"Up to date · checked {when}", self._heard_text())

    def _heard_text(self: Any) -> str:
        heard = self.sync.last_heard if self.sync else None
        if heard is None:
            return "No answer from the server yet in this session."
        return f"Last heard from the server at {heard.astimezone():%H:%M:%S}."

    async def _confirm_session(self: Any, url: str, email: str) -> None:
        """The server answers again: refresh who is signed in (permissions may have changed)."""
        if self.api is None or self.session is None:
            return
        try:
            me = await self.api.me()
        except ApiError as exc:
            log.info("could not refresh the sign-in: %s", exc.message)
            return
        session = StaffSession.from_me(url, me)
        known_sessions.remember(url, email, me)
        if self.session is None or self.api is None:
            return  # the workspace closed while the server answered
        if session.workspace_key != self.session.workspace_key:
            log.warning("the server's workspace changed identity; opening it afresh")
            await self.open_session(url, email, self.api.token, source=url, me=me)
        elif session != self.session:
            self._set_session(session)

    def _on_sync_progress(self: Any, label: str, done: int, total: int | None) -> None:
        self.window.show_work(label, done, -1 if total is None else total)

    def _on_sync_error(self: Any, error: ApiError) -> None:
        if isinstance(error, AuthExpired):
            self.ops.report(error)

    def _on_records(self: Any, entity: str, ids: set[int]) -> None:
        if entity != "workspace" or self.session is None or self.cache is None:
            return
        record = self.cache.get_record("workspace", self.session.workspace_id)
        status = (record or {}).get("portal_status")
        if status and status != self.session.portal_status:
            # The panels stay: a web view or an unsaved draft must survive the switch.
            self._set_session(self.session.with_portal_status(str(status)))
