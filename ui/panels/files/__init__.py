"""The File review panel: documents and photos waiting for a review, with thumbnails and
page previews; share or keep internal, one at a time with a caption or many at once. The
queue's count shows in the sidebar and follows sync.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidgetItem, QVBoxLayout, QWidget

from app import file_count, file_review
from app.errors import ApiError
from server.wire.files import FileOut
from server.wire.local_time import format_day
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.files import thumbnails
from ui.panels.files.view import STATUSES, FilesView
from ui.panels.navigate import FILES, set_sidebar_count
from ui.resources import icon

TITLE = "File review"
THUMBS_AT_ONCE = 4
THUMBS_PER_PAGE = 60
NEEDS_REVIEW = "Needs the “review files” permission. Ask the workspace owner if you need it."


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


def describe(f: FileOut) -> str:
    """One line of the list: what, whose, from where, how big."""
    name = f.title or f.filename
    origin = " · from a service request" if f.service_request_id else ""
    return f"{name}\n{f.customer_name} · {f.kind}{origin} · {_size(f.size)}"


class FilesPanel(QWidget):
    """The review queue and the picked files' pages, caption and decision."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = FilesView()
        self.files: dict[tuple[str, int], FileOut] = {}
        self.next_cursor: str | None = None
        self.pending: int | None = None
        self.focus: tuple[str, int] | None = None
        self._thumbs = asyncio.Semaphore(THUMBS_AT_ONCE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        v = self.view
        v.status.currentIndexChanged.connect(lambda _i: self.load())
        v.more.clicked.connect(lambda: self.load(more=True))
        v.list.itemSelectionChanged.connect(self._on_selection)
        v.share.clicked.connect(lambda: self.decide("shareable"))
        v.keep.clicked.connect(lambda: self.decide("rejected"))
        self._on_selection()
        QTimer.singleShot(0, self.load)

    # -- the count in the sidebar -----------------------------------------------------------

    def count(self) -> asyncio.Task[Any]:
        """Ask how many files wait, and show it in the sidebar."""
        return self.ctx.ops.run(self._count(), label="Counting files to review", key="files-count")

    async def _count(self) -> None:
        self.pending = await file_count.pending_count(self.ctx.api)
        set_sidebar_count(self, FILES, TITLE, self.pending)

    # -- the queue ---------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The review status listed."""
        return str(self.view.status.currentData())

    def load(self, more: bool = False) -> asyncio.Task[Any]:
        """List the files with the chosen status (the next page with ``more``)."""
        return self.ctx.ops.run(self._load(more), label="Loading files", key="files-load")

    async def _load(self, more: bool) -> None:
        if not more:
            self.next_cursor = None
        page = await file_review.queue(self.ctx.api, self.status, self.next_cursor)
        v = self.view
        if not more:
            v.list.clear()
            self.files.clear()
        for f in page.data:
            self.files[(f.kind, f.id)] = f
            item = QListWidgetItem(icon("files"), describe(f))
            item.setData(Qt.ItemDataRole.UserRole, (f.kind, f.id))
            item.setToolTip(f.filename)
            v.list.addItem(item)
        self.next_cursor = page.next_cursor
        v.more.setVisible(page.next_cursor is not None)
        v.count.setText(f"{page.count:,} {STATUSES[self.status].lower()}")
        self._show_empty(page.count == 0)
        if self.status == "pending":
            self.pending = page.count
            set_sidebar_count(self, FILES, TITLE, page.count)
        if self.focus is not None:
            self._select(self.focus)
        first = v.list.count() - len(page.data)
        await asyncio.gather(
            *(
                self._thumbnail(v.list.item(first + i))
                for i in range(min(len(page.data), THUMBS_PER_PAGE))
            )
        )

    def _show_empty(self, empty: bool) -> None:
        v = self.view
        v.list.setVisible(not empty)
        v.empty.setVisible(empty)
        v.empty.setText(
            "Nothing waits for a review. New documents and photos from the CRM and from "
            "customers' service requests appear here."
            if self.status == "pending"
            else f"No files are {STATUSES[self.status].lower()} yet."
        )

    async def _thumbnail(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        f = self.files.get(key)
        if f is None:
            return
        async with self._thumbs:
            try:
                data = await file_review.content(self.ctx.api, f.kind, f.id)
            except ApiError:
                return
            image = await asyncio.to_thread(thumbnails.thumbnail, data, f.content_type)
        with contextlib.suppress(RuntimeError):  # the item went away meanwhile
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    # -- the picked files --------------------------------------------------------------------

    def picked(self) -> list[FileOut]:
        """The files selected in the list."""
        keys = [i.data(Qt.ItemDataRole.UserRole) for i in self.view.list.selectedItems()]
        return [self.files[tuple(k)] for k in keys if tuple(k) in self.files]

    def _on_selection(self) -> None:
        v = self.view
        chosen = self.picked()
        allowed = self.ctx.session.can(Permission.REVIEW_FILES)
        v.share.setEnabled(bool(chosen) and allowed)
        v.keep.setEnabled(bool(chosen) and allowed)
        for b in (v.share, v.keep):
            b.setToolTip("" if allowed else NEEDS_REVIEW)
        v.pages.clear()
        v.note.clear()
        if not chosen:
            v.heading.setText("Pick a file to look at it. Pick several to decide on them at once.")
            v.facts.clear()
            v.share.setText("Share with customer")
            v.keep.setText("Keep internal")
            v.caption.setEnabled(False)
            v.caption.clear()
            return
        if len(chosen) > 1:
            v.heading.setText(f"{len(chosen)} files picked")
            v.facts.setText(", ".join(f.title or f.filename for f in chosen[:8]))
            v.share.setText(f"Share {len(chosen)} files")
            v.keep.setText(f"Keep {len(chosen)} internal")
            v.caption.setEnabled(False)
            v.caption.setToolTip("Captions are written one file at a time.")
            return
        f = chosen[0]
        v.heading.setText(f.title or f.filename)
        reviewed = (
            f" · {STATUSES[f.review_status]} by {f.reviewed_by_name or 'a former staff member'}"
            f" on {format_day(f.reviewed_at, self.ctx.local_format())}"
            if f.reviewed_at
            else ""
        )
        origin = "from the customer's service request" if f.service_request_id else "from the CRM"
        v.facts.setText(
            f"{f.customer_name} · {f.kind} {origin} · {f.filename} · {_size(f.size)}{reviewed}"
        )
        v.caption_label.setText(
            "Caption customers read" if f.kind == "photo" else "Title customers read"
        )
        v.caption.setEnabled(allowed)
        v.caption.setToolTip("" if allowed else NEEDS_REVIEW)
        v.caption.setText(f.title or "")
        v.share.setText("Share with customer")
        v.keep.setText("Keep internal")
        self.ctx.ops.run(self._show_pages(f), label="Opening the file", key="files-pages")

    async def _show_pages(self, f: FileOut) -> None:
        data = await file_review.content(self.ctx.api, f.kind, f.id)
        pages = await asyncio.to_thread(thumbnails.render, data, f.content_type)
        if [(p.kind, p.id) for p in self.picked()] != [(f.kind, f.id)]:
            return  # decided or unpicked meanwhile: the pages would show beside nothing
        if not pages:
            self.view.pages.setText(
                "No preview for this kind of file. Its name and size are above."
            )
            return
        self.view.pages.setPixmap(QPixmap.fromImage(_stack(pages)))

    def decide(self, decision: str) -> asyncio.Task[Any]:
        """Share the picked files, or keep them internal."""
        label = "Sharing" if decision == "shareable" else "Keeping internal"
        return self.ctx.ops.run(self._decide(decision, self.picked()), label=label)

    async def _decide(self, decision: str, chosen: list[FileOut]) -> None:
        if not chosen:
            return
        v = self.view
        if len(chosen) == 1:
            f = chosen[0]
            caption = v.caption.text() if v.caption.text() != (f.title or "") else None
            try:
                done = [await file_review.review(self.ctx.api, f.kind, f.id, decision, caption)]
            except ApiError as exc:
                if exc.errors.get("caption"):
                    v.note.setText(f"{exc.message} {exc.errors['caption']}")
                    return
                raise
        else:
            done = await file_review.review_many(
                self.ctx.api, [(f.kind, f.id) for f in chosen], decision
            )
        word = "shared with the customer" if decision == "shareable" else "kept internal"
        for f in done:
            self._remove_or_update(f)
        if v.list.count() == 0 and self.next_cursor is None:
            self._show_empty(True)
        self._on_selection()
        v.note.setText(f"{len(done)} file{'s' if len(done) != 1 else ''} {word}.")
        await self._count()
        if self.status == "pending" and self.pending is not None:
            v.count.setText(f"{self.pending:,} {STATUSES['pending'].lower()}")

    def _remove_or_update(self, f: FileOut) -> None:
        key = (f.kind, f.id)
        v = self.view
        for row in range(v.list.count()):
            item = v.list.item(row)
            if tuple(item.data(Qt.ItemDataRole.UserRole)) == key:
                if f.review_status != self.status:
                    v.list.takeItem(row)
                    self.files.pop(key, None)
                else:
                    self.files[key] = f
                    item.setText(describe(f))
                return

    # -- from the preview's inspector --------------------------------------------------------

    def focus_file(self, kind: str, file_id: int) -> asyncio.Task[Any]:
        """Show one file (in whichever list holds it) so it can be reviewed again."""
        return self.ctx.ops.run(self._focus(kind, file_id), label="Opening the file")

    async def _focus(self, kind: str, file_id: int) -> None:
        f = await file_review.one(self.ctx.api, kind, file_id)
        self.focus = (kind, file_id)
        index = self.view.status.findData(f.review_status)
        if index != self.view.status.currentIndex():
            self.view.status.setCurrentIndex(index)  # reloads, then selects it
            return
        if not self._select(self.focus):
            await self._load(False)

    def _select(self, key: tuple[str, int]) -> bool:
        v = self.view
        for row in range(v.list.count()):
            item = v.list.item(row)
            if tuple(item.data(Qt.ItemDataRole.UserRole)) == key:
                v.list.clearSelection()
                item.setSelected(True)
                v.list.scrollToItem(item)
                self.focus = None
                return True
        return False


def _stack(pages: list[QImage]) -> QImage:
    """Pages one under the other, with a gap, as one picture."""
    gap = 12
    width = max(p.width() for p in pages)
    out = QImage(
        width, sum(p.height() for p in pages) + gap * (len(pages) - 1), QImage.Format.Format_RGB32
    )
    out.fill(Qt.GlobalColor.white)
    from PySide6.QtGui import QPainter

    painter = QPainter(out)
    y = 0
    for p in pages:
        painter.drawImage((width - p.width()) // 2, y, p)
        y += p.height() + gap
    painter.end()
    return out


def _quietly(stop: Any) -> None:
    with contextlib.suppress(ValueError):
        stop()
