"""The customer table: an id-backed model over the search index's positions.

Rows are never copied into Qt: ``data`` reads the cached row at a position on demand, and a
search or filter swaps the list of positions under a model reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.access_text import last_sign_in
from app.customer_search import SORT_KEYS, CustomerIndex, SearchableRow
from app.portal_status import STATUS_BY_CODE, STATUS_LABELS

COLUMNS = ("Customer", "Primary contact", "Email", "Portal status", "Last sign-in")
# The status, email and last sign-in on a row are all the primary contact's, named beside them.
HEADER_TIPS = {
    3: "The primary contact's portal access. Every contact's access is in the customer's details.",
    4: "When the primary contact last signed in to the portal.",
}
STATUS_COLUMN = 3
CUSTOMER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_COLORS = {
    "not_invited": "#6b7280",
    "invited": "#1d4ed8",
    "invite_expired": "#b45309",
    "active": "#15803d",
    "locked": "#b91c1c",
    "disabled": "#7f1d1d",
}

Index = QModelIndex | QPersistentModelIndex


class CustomerTableModel(QAbstractTableModel):
    """Customers matching the current search and status filter, in the current sort order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.index_: CustomerIndex = CustomerIndex([])
        self.positions: Sequence[int] = []
        self.query = ""
        self.statuses: frozenset[str] | None = None
        self.sort_key = "name"
        self.descending = False
        self.now = datetime.now(UTC)
        self._row_of: dict[int, int] | None = None

    # -- contents --------------------------------------------------------------------------

    def set_index(self, index: CustomerIndex) -> None:
        """Show a freshly built index with the current search, filter and sort."""
        self.index_ = index
        self.refilter()

    def set_filter(self, query: str, statuses: frozenset[str] | None) -> None:
        """Search and filter; an empty status set means "any status"."""
        self.query = query
        self.statuses = statuses or None
        self.refilter()

    def refilter(self) -> None:
        """Recompute the visible rows."""
        self.beginResetModel()
        self.now = datetime.now(UTC)
        self.positions = self.index_.search(
            self.query, self.statuses, self.sort_key, self.descending
        )
        self._row_of = None
        self.endResetModel()

    def update_rows(self, rows: Sequence[SearchableRow]) -> None:
        """Rows changed on the server: update them where they are, without re-filtering."""
        positions = self.index_.update(rows)
        if not positions:
            return
        for pos in positions:
            row = self._row_of_position(pos)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- lookups ---------------------------------------------------------------------------

    def row_at(self, row: int) -> SearchableRow:
        """The cached customer shown on a table row."""
        found: SearchableRow = self.index_.rows[self.positions[row]]
        return found

    def customer_id(self, row: int) -> int:
        """The customer id shown on a table row."""
        return int(self.row_at(row).id)

    def row_of_customer(self, customer_id: int) -> int | None:
        """The table row showing a customer, or None when filtered out."""
        pos = self.index_.position.get(customer_id)
        return None if pos is None else self._row_of_position(pos)

    def _row_of_position(self, pos: int) -> int | None:
        positions = self.positions
        if isinstance(positions, range):  # every row (no search or filter): no lookup table
            return positions.index(pos) if pos in positions else None
        if self._row_of is None:
            self._row_of = {p: r for r, p in enumerate(positions)}
        return self._row_of.get(pos)

    def status_at(self, row: int) -> str:
        """The portal status (as of now) of the customer on a table row."""
        return STATUS_BY_CODE[self.index_.statuses[self.positions[row]]]

    # -- Qt model --------------------------------------------------------------------------

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
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.positions):
            return None
        row = self.row_at(index.row())
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return row.name
            if col == 1:
                return row.primary_contact_name or "—"
            if col == 2:
                return row.primary_email or ("—" if role == Qt.ItemDataRole.DisplayRole else None)
            if col == STATUS_COLUMN:
                label = STATUS_LABELS[self.status_at(index.row())]
                if role == Qt.ItemDataRole.DisplayRole or not row.primary_contact_name:
                    return label
                return f"{label}: portal access of {row.primary_contact_name} (primary contact)"
            if col == 4:
                return last_sign_in(row.last_sign_in_at, self.now)
        elif role == Qt.ItemDataRole.ForegroundRole and col == STATUS_COLUMN:
            return QColor(STATUS_COLORS[self.status_at(index.row())])
        elif role == CUSTOMER_ID_ROLE:
            return int(row.id)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        self.sort_key = SORT_KEYS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.refilter()
