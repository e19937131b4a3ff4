"""The inbox's filters: kind chips with their counts, state, who has it, when, and search.

Layout and reading the choices only; ``changed`` fires on every change (a keystroke too).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.follow_up_filter import NOBODY, InboxFilter
from app.follow_up_text import KIND_LABELS

ME = -1  # the assignee choice "me", resolved to the signed-in person's id
DATES = (
    ("Any time", None),
    ("Today", 0),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Between…", -1),
)


class FilterBar(QWidget):
    """Chips per kind, state, assignee, date range and a search box."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.me_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("followUpSearch")
        self.search.setPlaceholderText("Search customer, contact or what happened  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.changed.emit())
        top.addWidget(self.search, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        widest = "100,000 of 100,000 items"
        # Fixed both ways (as tall as the search box beside it): a new count at every keystroke
        # then lays nothing out again. A label that may change size asks every layout up to
        # the window to run again, and the tab widget around the inbox repaints all it holds.
        self.count_label.setFixedSize(
            self.fontMetrics().horizontalAdvance(widest) + 12, self.search.sizeHint().height()
        )
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.count_label)
        layout.addLayout(top)

        # Chips wrap onto two rows so a narrow window never hides a kind.
        chips = QGridLayout()
        chips.setHorizontalSpacing(4)
        chips.setVerticalSpacing(4)
        self.chips: dict[str, QPushButton] = {}
        for i, (kind, label) in enumerate(KIND_LABELS.items()):
            chip = QPushButton(label)
            chip.setObjectName("statusChip")
            chip.setCheckable(True)
            chip.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            chip.toggled.connect(lambda _on: self.changed.emit())
            self.chips[kind] = chip
            chips.addWidget(chip, i // 4, i % 4)
        layout.addLayout(chips)

        row = QHBoxLayout()
        self.state = QComboBox()
        for text, state in (("Open", "open"), ("Done", "done"), ("Open and done", None)):
            self.state.addItem(text, state)
        self.assignee = QComboBox()
        self.assignee.setMinimumContentsLength(10)
        self.assignee.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for text, value in (("Anyone", None), ("Me", ME), ("Nobody", NOBODY)):
            self.assignee.addItem(text, value)
        self.dates = QComboBox()
        for text, days in DATES:
            self.dates.addItem(text, days)
        self.since = QDateEdit(QDate.currentDate().addDays(-7))
        self.until = QDateEdit(QDate.currentDate())
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.dateChanged.connect(lambda _d: self.changed.emit())
            edit.hide()
        self.dates.currentIndexChanged.connect(self._on_dates)
        for combo in (self.state, self.assignee):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for label, widget in (("Show", self.state), ("Who has it", self.assignee)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addWidget(QLabel("When"))
        row.addWidget(self.dates)
        row.addWidget(self.since)
        self.to_label = QLabel("to")
        self.to_label.hide()
        row.addWidget(self.to_label)
        row.addWidget(self.until)
        row.addStretch(1)
        layout.addLayout(row)

    def set_people(self, people: list[tuple[int, str]]) -> None:
        """Offer these staff members in "Who has it" (keeping the current choice)."""
        current = self.assignee.currentData()
        self.assignee.blockSignals(True)
        while self.assignee.count() > 3:
            self.assignee.removeItem(3)
        for staff_id, name in people:
            if staff_id != self.me_id:
                self.assignee.addItem(name, staff_id)
        index = self.assignee.findData(current)
        self.assignee.setCurrentIndex(max(index, 0))
        self.assignee.blockSignals(False)

    def clear(self) -> None:
        """Show everything but the state chosen: no search, kinds, person or dates."""
        for widget in (self.search, *self.chips.values(), self.assignee, self.dates):
            widget.blockSignals(True)
        self.search.clear()
        for chip in self.chips.values():
            chip.setChecked(False)
        self.assignee.setCurrentIndex(0)
        self.dates.setCurrentIndex(0)
        for widget in (self.search, *self.chips.values(), self.assignee, self.dates):
            widget.blockSignals(False)
        self._on_dates(0)  # hides the custom range and tells the panel once

    def set_counts(self, counts: dict[str, int]) -> None:
        """Open items per kind on the chips."""
        for kind, chip in self.chips.items():
            n = counts.get(kind, 0)
            text = f"{KIND_LABELS[kind]} ({n:,})" if n else KIND_LABELS[kind]
            if chip.text() != text:  # a new text lays the chips out again: only when it changed
                chip.setText(text)

    def _on_dates(self, _index: int) -> None:
        custom = self.dates.currentData() == -1
        for widget in (self.since, self.to_label, self.until):
            widget.setVisible(custom)
        self.changed.emit()

    def current(self) -> InboxFilter:
        """The filter the controls describe."""
        assignee = self.assignee.currentData()
        if assignee == ME:
            assignee = self.me_id if self.me_id is not None else NOBODY - 1
        since = until = None
        days = self.dates.currentData()
        today = datetime.combine(datetime.now().date(), time()).astimezone()
        if days == -1:
            start: date = self.since.date().toPython()  # type: ignore[assignment]
            end: date = self.until.date().toPython()  # type: ignore[assignment]
            since = datetime.combine(start, time()).astimezone().timestamp()
            until = (datetime.combine(end, time()).astimezone() + timedelta(days=1)).timestamp()
        elif days is not None:
            since = (today - timedelta(days=days)).timestamp()
        return InboxFilter(
            kinds=frozenset(k for k, chip in self.chips.items() if chip.isChecked()),
            state=self.state.currentData(),
            assignee=assignee,
            since=since,
            until=until,
            text=self.search.text(),
        )

    def range_problem(self) -> str:
        """Why the chosen date range shows nothing, if it is back to front ("" otherwise)."""
        if self.dates.currentData() == -1 and self.since.date() > self.until.date():
            return "The date range ends before it starts: change one of the dates."
        return ""
