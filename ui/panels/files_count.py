"""The file review queue's count in the sidebar, from the moment the workspace opens (the
panel itself is built only when first opened), following sync."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from app import file_count
from ui.context import PanelContext
from ui.panels.navigate import FILES, set_sidebar_count

TITLE = "File review"


class FileCount(QObject):
    """Asks how many files wait for a review, now and whenever sync brings documents or
    photos, and shows it on the sidebar entry."""

    def __init__(self, ctx: PanelContext, window: QWidget) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self.count: int | None = None
        self._timer = QTimer(self, singleShot=True, interval=500)
        self._timer.timeout.connect(self.refresh)
        self._unhook = ctx.cache.on_records_changed(self._on_records)
        self.destroyed.connect(lambda *_a, stop=self._unhook: _quietly(stop))
        QTimer.singleShot(0, self.refresh)

    def refresh(self) -> None:
        """Count again (one small request)."""
        self.ctx.ops.run(self._refresh(), label="Counting files to review", key="files-count")

    async def _refresh(self) -> None:
        await self.ctx.after_cached_rows()  # at start, the cached customer list comes first
        self.count = await file_count.pending_count(self.ctx.api)
        set_sidebar_count(self.window, FILES, TITLE, self.count)

    def _on_records(self, entity: str, _ids: set[int]) -> None:
        if entity in ("document", "photo"):
            self._timer.start()


def watch_count(ctx: PanelContext, window: QWidget) -> FileCount:
    """Start showing the count for this workspace (kept alive by the window)."""
    return FileCount(ctx, window)


def _quietly(stop: Callable[[], None]) -> None:
    with contextlib.suppress(ValueError):
        stop()
