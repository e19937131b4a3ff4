"""The customer list: search box, status chips and the big table (layout and keyboard only)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.portal_status import STATUS_LABELS
from ui.models.customers import COLUMNS, CustomerTableModel

# Customer, contact and email share what is left after status and last sign-in, so every
# column (last sign-in too) fits without a horizontal scroll bar at any sensible width.
STRETCHED = (0, 1, 2)
FIXED_WIDTHS = {3: 104, 4: 104}


class CustomerList(QWidget):
    """Search, filter and pick a customer; ``customer_selected(id)`` when the current row moves."""

    customer_selected = Signal(int)
    filter_changed = Signal()

    def __init__(self, model: CustomerTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("customerSearch")
        self.search.setPlaceholderText("Search name, email, phone or address  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        # A fixed width: "100,000 of 100,000 customers" arriving with the rows must not widen
        # the panel (and with it the window).
        widest = "100,000 of 100,000 customers"
        self.count_label.setFixedWidth(self.fontMetrics().horizontalAdvance(widest) + 12)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.count_label)
        layout.addLayout(top)

        chips = QHBoxLayout()
        chips.setSpacing(4)
        self.chips: dict[str, QPushButton] = {}
        for status, label in STATUS_LABELS.items():
            chip = QPushButton(label)
            chip.setObjectName("statusChip")
            chip.setCheckable(True)
            chip.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            chip.toggled.connect(lambda _on: self._apply_filter())
            self.chips[status] = chip
            chips.addWidget(chip)
        chips.addStretch(1)
        layout.addLayout(chips)

        self.table = QTableView()
        self.table.setObjectName("customerTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        # A fixed row height keeps scrolling over 100,000 rows from measuring any of them.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(26)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(False)
        hh.setMinimumSectionSize(60)
        for col in range(len(COLUMNS)):
            if col in STRETCHED:
                hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            else:
                hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(col, FIXED_WIDTHS[col])
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.table, 1)

        self.copy_action = QAction("Copy email", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_email)
        self.table.addAction(self.copy_action)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.focus_search)
        self.addAction(find)

        # Typing answers at once; the timer only merges keystrokes that arrive together.
        self._debounce = QTimer(self, singleShot=True, interval=0)
        self._debounce.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._focus_table)
        self.search.installEventFilter(self)
        model.modelReset.connect(self._after_reset)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self._wanted: int | None = None

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected."""
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: Any, event: Any) -> bool:
        """Down arrow in the search box moves into the results."""
        if (
            watched is self.search
            and event.type() == event.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            self._focus_table()
            return True
        return bool(super().eventFilter(watched, event))

    def selected_statuses(self) -> frozenset[str]:
        """Statuses whose chip is on (none on: every status)."""
        return frozenset(s for s, chip in self.chips.items() if chip.isChecked())

    def _apply_filter(self) -> None:
        self._wanted = self.current_customer_id()
        self.model.set_filter(self.search.text(), self.selected_statuses())
        self.filter_changed.emit()

    def _after_reset(self) -> None:
        total = len(self.model.index_)
        shown = self.model.rowCount()
        self.count_label.setText(
            f"{shown:,} customers" if shown == total else f"{shown:,} of {total:,} customers"
        )
        if self._wanted is not None:
            row = self.model.row_of_customer(self._wanted)
            if row is not None:
                self.select_row(row, emit=False)

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.select_row(0)

    def select_row(self, row: int, emit: bool = True) -> None:
        """Make a row current and visible."""
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        if not emit:
            self.table.selectionModel().blockSignals(True)
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.selectionModel().blockSignals(False)
        self.table.scrollTo(index)

    def current_customer_id(self) -> int | None:
        """The customer on the current row."""
        index = self.table.currentIndex()
        return self.model.customer_id(index.row()) if index.isValid() else None

    def _on_current(self, current: Any, _previous: Any) -> None:
        if current.isValid():
            self.customer_selected.emit(self.model.customer_id(current.row()))

    def copy_email(self) -> None:
        """Copy the current customer's email to the clipboard."""
        index = self.table.currentIndex()
        if index.isValid():
            email = self.model.row_at(index.row()).primary_email
            if email:
                QGuiApplication.clipboard().setText(email)

    def _context_menu(self, point: Any) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.select_row(index.row())
        menu = QMenu(self)
        menu.addAction(self.copy_action)
        self.copy_action.setEnabled(bool(self.model.row_at(index.row()).primary_email))
        menu.popup(self.table.viewport().mapToGlobal(point))
