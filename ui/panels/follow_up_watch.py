"""From the moment a workspace opens: the inbox's open counts on the sidebar entry, and desktop
notifications (the system tray) for new items, whether or not the panel was opened yet.

Which items are told about is decided in ``app.follow_up_notify`` (kinds, quiet hours, never
twice); this only reads the cache off the UI thread and shows what was decided. Clicking a
notification opens the Follow-up panel on its item.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from app.cache.follow_ups import open_counts
from app.follow_up_notify import Notification, NotifyLog, NotifyRules, decide
from app.follow_up_text import KIND_LABELS
from ui.context import WORKSPACE_HELPER, PanelContext
from ui.resources import icon

log = logging.getLogger(__name__)

KEY = "follow_up"
TITLE = "Follow-up"
ENTITY = "follow_up"
SHOWN_KEPT = 100  # notifications remembered (for a look back; the cache keeps the ids)


def tray_available() -> bool:
    """Whether this desktop has a notification area the console can put messages in."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class FollowUpWatch(QObject):
    """Counts for the sidebar and notifications for new items, following sync."""

    def __init__(self, ctx: PanelContext, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName(WORKSPACE_HELPER)  # the window ends it when the workspace closes
        self.ctx = ctx
        self.window = window
        self.counts: dict[str, int] = {}
        self.shown: list[Notification] = []  # every notification shown, newest last
        self._clicked: int | None = None
        self._pending: set[int] = set()
        self._log = NotifyLog(ctx.cache.path)
        self._log.start_watching(datetime.now().timestamp())
        self.tray: QSystemTrayIcon | None = None
        if tray_available():
            self.tray = QSystemTrayIcon(icon("app"), self)
            self.tray.setToolTip("Toolbag Portal")
            self.tray.messageClicked.connect(self._on_clicked)
            self.tray.show()
        self.running: asyncio.Task[Any] | None = None
        self._again = False
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        self._unhook = ctx.cache.on_records_changed(self._on_records)
        self.destroyed.connect(lambda *_a, stop=self._unhook: _quietly(stop))
        self.destroyed.connect(lambda *_a, notes=self._log: notes.close())
        if self.tray is not None:  # gone from the notification area with the workspace
            self.destroyed.connect(lambda *_a, tray=self.tray: tray.hide())
        QTimer.singleShot(0, self.refresh)

    def _current(self) -> bool:
        # The window moved on to another workspace (or signed out): this watch ends.
        if getattr(self.window, "context", None) is self.ctx:
            return True
        _quietly(self._unhook)
        self.deleteLater()
        return False

    def _on_records(self, entity: str, ids: set[int]) -> None:
        if entity == ENTITY and self._current():
            self._pending |= ids
            self._timer.start()

    def refresh(self) -> asyncio.Task[Any]:
        """Count again and decide on the items that arrived since last time.

        One check at a time, never cancelled half-way (its items would go unconsidered):
        asked again meanwhile, it checks once more when done.
        """
        if self.running is not None and not self.running.done():
            self._again = True
            return self.running
        ids, self._pending = self._pending, set()
        self._again = False
        self.running = self.ctx.ops.run(self._refresh(ids), label="Checking follow-ups")
        self.running.add_done_callback(lambda _t: self._again and self._timer.start())
        return self.running

    async def _refresh(self, ids: set[int]) -> None:
        try:
            self.counts = await asyncio.to_thread(open_counts, self.ctx.cache.path)
        except Exception as exc:  # a cache being replaced (signed out): counted next time
            log.info("could not count follow-ups: %s", exc)
            self._pending |= ids
            return
        self._show_counts()
        if ids:
            notes = await asyncio.to_thread(self._decide, ids)
            for note in notes:
                self.notify(note)

    def _decide(self, ids: set[int]) -> list[Notification]:
        settings = self.ctx.settings
        rules = NotifyRules.from_settings(
            settings.get("notify_kinds"),
            settings.get("quiet_hours_start"),
            settings.get("quiet_hours_end"),
        )
        return decide(self._log.items(ids), rules, self._log, datetime.now().astimezone())

    def _show_counts(self) -> None:
        sidebar = getattr(self.window, "sidebar", None)
        if sidebar is None:
            return
        total = self.counts.get("all", 0)
        for i in range(sidebar.count()):
            item = sidebar.item(i)
            if item.data(Qt.ItemDataRole.UserRole) != KEY:
                continue
            if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
                return  # it says why it is disabled: keep that
            item.setText(f"{TITLE} ({total:,})" if total else TITLE)
            lines = [
                f"{KIND_LABELS[k]}: {self.counts[k]:,}" for k in KIND_LABELS if self.counts.get(k)
            ]
            item.setToolTip(
                "Open items:\n" + "\n".join(lines) if lines else "Nothing waits for follow-up."
            )

    def notify(self, note: Notification) -> None:
        """Show one notification (kept in ``shown`` also when no tray can show it)."""
        self.shown.append(note)
        del self.shown[:-SHOWN_KEPT]
        self._clicked = note.item_id
        if self.tray is not None:
            self.tray.showMessage(
                note.title, note.message, QSystemTrayIcon.MessageIcon.Information, 10_000
            )

    def _on_clicked(self) -> None:
        self.open(self._clicked)

    def open(self, item_id: int | None) -> None:
        """Bring the window up on the Follow-up panel, on the item when there is one."""
        window: Any = self.window
        window.showNormal()
        window.raise_()
        window.activateWindow()
        page = window.panel(KEY) if hasattr(window, "panel") else None
        if page is None:
            return
        window.select_panel(KEY)
        if item_id is not None:
            page.open_item(item_id)


def watch_follow_ups(ctx: PanelContext, window: QWidget) -> FollowUpWatch:
    """Start counting and notifying for this workspace (kept alive by the window)."""
    return FollowUpWatch(ctx, window)


def _quietly(stop: Any) -> None:
    with contextlib.suppress(ValueError):
        stop()
