"""The Follow-up panel: one inbox across customers of what needs the office, and the outbox.

The inbox reads the cache (items arrive on the changes feed), so it opens at once with 100,000
items and stays current as sync brings more; what a person does to an item goes to the server
and the answer is shown straight away (sync later brings the same version).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.follow_up_index import InboxIndex
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.follow_up.actions import ItemActions
from ui.panels.follow_up.cells import InboxCells
from ui.panels.follow_up.detail import DetailPane
from ui.panels.follow_up.filters import FilterBar
from ui.panels.follow_up.model import COLUMNS, ITEM_ID_ROLE, InboxModel
from ui.panels.follow_up.outbox import OutboxView
from ui.widgets.steady_scroll_bar import SteadyScrollBar
from ui.workspace_objects import freeze_late_workspace_objects

log = logging.getLogger(__name__)

ENTITY = "follow_up"
# More changed items than this in one go (a full sync) reload the index instead of patching.
RELOAD_ABOVE = 2000
FIRST_SCREEN = 100  # rows shown before the whole inbox is read
NARROW = 980  # panel width under which the detail sits below the list
# The title ("What happened") takes what is left; the rest keep to what they must show.
WIDTHS = {0: 100, 1: 112, 3: 130, 4: 92, 5: 52}
TITLE_COLUMN = 2


class FollowUpPanel(QWidget):
    """Inbox (filters, list, detail) and Outbox tabs."""

    item_shown = Signal(int)

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.me_id = ctx.session.staff_id
        self.model = InboxModel(self)
        self.filters = FilterBar()
        self.filters.me_id = self.me_id
        self.table = self._make_table()
        self.empty = QLabel()
        self.empty.setObjectName("detailText")
        self.empty.setWordWrap(True)
        self.detail = DetailPane()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filters)
        column.addWidget(self.empty)
        column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 380])
        self.splitter.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, "Inbox")
        self.outbox = OutboxView(ctx)
        outbox_tab = self.tabs.addTab(self.outbox, "Outbox")
        if not ctx.session.can(Permission.VIEW_MAIL):
            self.tabs.setTabEnabled(outbox_tab, False)
            self.tabs.setTabToolTip(
                outbox_tab,
                f"Your role ({ctx.session.role}) cannot see the outbox: it needs the "
                "'view_mail' permission.",
            )
        self.tabs.currentChanged.connect(self._on_tab)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)

        self.item_actions = ItemActions(self)
        self.filters.changed.connect(self._apply_filter)
        self.model.modelReset.connect(self._after_reset)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.detail.action.connect(self.item_actions.run)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        self._changed: set[int] = set()
        self._timer = QTimer(self, singleShot=True, interval=100)
        self._timer.timeout.connect(self._apply_changes)
        self._unhook = ctx.cache.on_records_changed(self._on_records)
        self.destroyed.connect(lambda *_a, stop=self._unhook: _quietly(stop))
        self._wanted: int | None = None
        self.shown_id: int | None = None
        self.loaded = False
        # The newest open items at once (a few milliseconds), so the panel opens with rows
        # while the whole inbox is read on a worker thread.
        self.model.set_index(InboxIndex.load(ctx.cache.path, ("open", FIRST_SCREEN)))
        self.loading = self.load()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """In a narrow window the detail goes under the list, so the list keeps its columns."""
        super().resizeEvent(event)
        wanted = Qt.Orientation.Vertical if self.width() < NARROW else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            tall = wanted == Qt.Orientation.Vertical
            self.splitter.setSizes([420, 300] if tall else [760, 380])

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected."""
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("followUpTable")
        table.setModel(self.model)
        table.setItemDelegate(InboxCells(self.model, table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        vh = table.verticalHeader()
        vh.setVisible(False)
        # A fixed row height keeps scrolling over 100,000 rows from measuring any of them.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(26)
        hh = table.horizontalHeader()
        hh.setMinimumSectionSize(50)
        for col in range(len(COLUMNS)):
            if col == TITLE_COLUMN:
                hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            else:
                hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                table.setColumnWidth(col, WIDTHS[col])
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A keystroke changes the row count: the bar is drawn again only if that shows.
        table.setVerticalScrollBar(SteadyScrollBar())
        return table

    # -- loading and live changes ----------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """Read the inbox from the cache (on a worker thread) and show it."""
        return self.ctx.ops.run(self._load(), label="Loading the inbox", key="follow-up-load")

    async def _load(self) -> None:
        index = await asyncio.to_thread(InboxIndex.load, self.ctx.cache.path)
        self.model.set_index(index)
        freeze_late_workspace_objects()  # its columns and the lists worked out from them
        if self._changed:  # items that came while reading: applying them again is harmless
            self._timer.start()
        self.filters.set_people(self.people())
        self.loaded = True

    def _on_records(self, entity: str, ids: set[int]) -> None:
        if entity == ENTITY:
            self._changed |= ids
            self._timer.start()

    def _apply_changes(self) -> None:
        if self.ctx.cache.closed:
            return  # the workspace closed while changes waited; the panel goes with it
        if not self.loaded:
            return  # kept until the inbox is read
        ids, self._changed = self._changed, set()
        if len(ids) > RELOAD_ABOVE:
            self.loading = self.load()
            return
        items: list[dict[str, Any]] = []
        gone: list[int] = []
        for item_id in ids:
            item = self.ctx.cache.get_record(ENTITY, item_id)
            if item is None:
                gone.append(item_id)
            else:
                items.append(item)
        self.apply_items(items, gone)

    def apply_items(self, items: list[dict[str, Any]], gone: Iterable[int] = ()) -> None:
        """Show changed items (from sync or an answer) where they belong, keeping the choice."""
        if not self.model.index_.update(items, gone):
            return
        self._wanted = self.current_id()
        self.model.refilter()
        self.filters.set_people(self.people())
        shown = self.shown_id
        for item in items:
            if int(item["id"]) == shown:
                self._show(item, keep_message=True)

    # -- filtering and choosing ------------------------------------------------------------

    def _apply_filter(self) -> None:
        self._wanted = self.current_id()
        self.model.set_filter(self.filters.current())
        shown = self.shown_id
        if (
            shown is not None
            and self.model.row_of_item(shown) is None
            and self.model.index_.partial is False
        ):
            # The item on the right is not in the list any more: do not act on it unseen.
            self.shown_id = None
            self.detail.show_item(None)
            self.detail.empty.setText(
                "The item you had open is not among these results. Change the filters to see "
                "it again."
            )

    def _after_reset(self) -> None:
        index = self.model.index_
        total, shown = index.total, self.model.rowCount()
        noun = "item" if total == 1 else "items"
        if index.partial:
            self.filters.count_label.setText(f"Reading {total:,} {noun}…")
        else:
            self.filters.count_label.setText(
                f"{shown:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"
            )
            self.filters.set_counts(index.counts(self.me_id))
        self.empty.setText(self._empty_text(total, shown))
        self.empty.setVisible(shown == 0)
        if self._wanted is not None:
            row = self.model.row_of_item(self._wanted)
            if row is not None:
                self._select_row(row, emit=False)

    def _empty_text(self, total: int, shown: int) -> str:
        if shown:
            return ""
        problem = self.filters.range_problem()
        if problem:
            return problem
        if total == 0:
            return (
                "Nothing to follow up yet. Approvals, payments, service requests, sign-in "
                "trouble and failed emails appear here as customers act on the portal."
            )
        return "No item matches these filters. Clear the search or choose other filters above."

    def _select_row(self, row: int, emit: bool = True) -> None:
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection = self.table.selectionModel()
        selection.blockSignals(not emit)
        selection.setCurrentIndex(index, flags)
        selection.blockSignals(False)
        self.table.scrollTo(index)

    def current_id(self) -> int | None:
        """The item on the current row."""
        index = self.table.currentIndex()
        return int(index.data(ITEM_ID_ROLE)) if index.isValid() else None

    def _on_current(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            self.show_item(int(current.data(ITEM_ID_ROLE)))

    def show_item(self, item_id: int) -> None:
        """Show one item in the detail pane (from the cache), choosing its row if shown."""
        item = self.ctx.cache.get_record(ENTITY, item_id)
        if item is None:
            self.detail.show_item(None)
            self.detail.empty.setText("That item is no longer in the inbox (it was removed).")
            return
        row = self.model.row_of_item(item_id)
        if row is not None and self.current_id() != item_id:
            self._select_row(row, emit=False)
        self._show(item)

    def _show(self, item: dict[str, Any], keep_message: bool = False) -> None:
        message = self.detail.message.text() if keep_message else ""
        self.shown_id = int(item["id"])
        self.detail.show_item(item, self.me_id)
        self.item_actions.update_buttons(item)
        if message and self.detail.item is not None:
            self.detail.say(message)
        self.item_actions.show_photos(item)
        self.item_shown.emit(self.shown_id)

    def open_item(self, item_id: int) -> None:
        """From a notification: the inbox tab with this item shown, whatever the filters."""
        self.tabs.setCurrentIndex(0)
        self._wanted = item_id  # chosen again once the inbox has loaded
        item = self.ctx.cache.get_record(ENTITY, item_id)
        state = self.filters.state.currentData()
        if item is not None and state not in (None, item.get("state")):
            self.filters.state.setCurrentIndex(self.filters.state.findData(None))  # done already
        if self.loaded and self.model.row_of_item(item_id) is None:
            self.filters.clear()
        self.show_item(item_id)

    def people(self) -> list[tuple[int, str]]:
        """Staff members seen holding items (for "Who has it" and Assign)."""
        ix = self.model.index_
        seen = {i: n for i, n in zip(ix.assignee_ids, ix.assignees, strict=True) if i}
        if self.me_id is not None:
            seen[self.me_id] = f"{self.ctx.session.name} (me)"
        return sorted(seen.items(), key=lambda p: p[1].casefold())

    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.outbox and not self.outbox.loaded:
            self.outbox.load()


def _quietly(stop: Callable[[], None]) -> None:
    with contextlib.suppress(ValueError):
        stop()
