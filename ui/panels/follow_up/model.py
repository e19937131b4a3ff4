"""The inbox table: an id-backed model over the inbox index's positions.

Rows are never copied into Qt: ``data`` reads a column of the index at a position on demand,
and a filter or a keystroke swaps the list of positions under a model reset.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.follow_up_filter import InboxFilter
from app.follow_up_index import InboxIndex
from app.follow_up_text import KIND_LABELS, short_when

COLUMNS = ("When", "Type", "What happened", "Customer", "Who has it", "State")
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_COLORS = {
    "quote_approved": "#15803d",
    "quote_declined": "#b45309",
    "invoice_paid": "#1d4ed8",
    "service_request": "#7c3aed",
    "sign_in_trouble": "#b91c1c",
    "refund_needed": "#be185d",
    "mail_failed": "#92400e",
}

Index = QModelIndex | QPersistentModelIndex


DISPLAY = Qt.ItemDataRole.DisplayRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
FONT = Qt.ItemDataRole.FontRole.value
ITEM_ID = int(ITEM_ID_ROLE)
_ROLES = frozenset({DISPLAY, TOOLTIP, FOREGROUND, FONT, ITEM_ID})
_KIND_QCOLORS = {kind: QColor(color) for kind, color in KIND_COLORS.items()}
_GREY = QColor("#6b7280")


class InboxModel(QAbstractTableModel):
    """Follow-up items matching the current filter, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.index_ = InboxIndex()
        self.positions: Sequence[int] = []
        self.filter_ = InboxFilter()
        self.now = datetime.now(UTC)
        self._when: dict[float, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- contents --------------------------------------------------------------------------

    def set_index(self, index: InboxIndex) -> None:
        """Show a freshly loaded index with the current filter."""
        self.index_ = index
        self.refilter()

    def set_filter(self, f: InboxFilter) -> None:
        """Show what ``f`` lets through."""
        self.filter_ = f
        self.refilter()

    def refilter(self) -> None:
        """Recompute the visible rows."""
        self.beginResetModel()
        now = datetime.now(UTC)
        if now.astimezone().date() != self.now.astimezone().date():
            self._when.clear()  # a short time says "10:02" only for today (here)
        self.now = now
        self.positions = self.index_.filter(self.filter_)
        self.endResetModel()

    # -- lookups ---------------------------------------------------------------------------

    def item_id(self, row: int) -> int:
        """The item id shown on a table row."""
        return int(self.index_.ids[self.positions[row]])

    def row_of_item(self, item_id: int) -> int | None:
        """The table row showing an item, or None when filtered out."""
        pos = self.index_.position.get(item_id)
        if pos is None:
            return None
        # Positions stay in column order whatever the filter: one bisection finds the row.
        row = bisect.bisect_left(self.positions, pos)
        return row if row < len(self.positions) and self.positions[row] == pos else None

    # -- Qt model --------------------------------------------------------------------------
    # No ``flags``: the base class answers enabled and selectable for every cell in C++,
    # where an override is a call into Python for each cell of each repaint.

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.positions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every role of every visible cell on each repaint (a keystroke repaints
        # the table): roles are plain ints here, and the unused ones are turned away first.
        if role not in _ROLES:
            return None
        row = index.row()
        positions = self.positions
        if not 0 <= row < len(positions) or not index.isValid():
            return None
        pos = positions[row]
        col = index.column()
        if role in (DISPLAY, TOOLTIP):
            return self._text(pos, col)
        if role == FOREGROUND:
            return self._color(pos, col)
        if role == FONT:
            return self._bold if self._stands_out(pos, col) else None
        if role == ITEM_ID:
            return int(self.index_.ids[pos])
        return None

    def cell(self, row: int, col: int) -> tuple[str, QColor | None, bool]:
        """What a cell shows: its text, its colour (None: the usual) and whether it is bold.

        The inbox's delegate draws from this, one call per cell, instead of asking ``data``
        for each role (see ``cells.py``).
        """
        pos = self.positions[row]
        return self._text(pos, col), self._color(pos, col), self._stands_out(pos, col)

    def _text(self, pos: int, col: int) -> str:
        ix = self.index_
        if col == 0:
            moment = ix.happened[pos]
            text = self._when.get(moment)
            if text is None:  # a repaint asks again for the same rows: said once
                if len(self._when) > 5000:  # scrolled far: keep it small
                    self._when.clear()
                text = short_when(datetime.fromtimestamp(moment, UTC), self.now)
                self._when[moment] = text
            return text
        if col == 1:
            return str(KIND_LABELS.get(ix.kinds[pos], ix.kinds[pos]))
        if col == 2:
            return str(ix.titles[pos])
        if col == 3:
            return str(ix.customers[pos] or "—")
        if col == 4:
            return str(ix.assignees[pos] or "Nobody")
        return "Done" if ix.states[pos] == "done" else "Open"

    def _color(self, pos: int, col: int) -> QColor | None:
        ix = self.index_
        if col == 1:
            return _KIND_QCOLORS.get(ix.kinds[pos], _GREY)
        return _GREY if ix.states[pos] == "done" else None

    def _stands_out(self, pos: int, col: int) -> bool:
        # Open and nobody has it yet: its title stands out.
        ix = self.index_
        return col == 2 and ix.states[pos] == "open" and ix.assignee_ids[pos] is None
