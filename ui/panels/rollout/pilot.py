"""The pilot group: a rule form with a live count, saved groups, and batch invites."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.rollout import describe_rule, rule_from_form


class PilotView(QFrame):
    """Lays out the rule and the groups; the controller answers its signals.

    Signals: ``rule_changed()`` (ask for a new count), ``save_requested(name)``,
    ``group_chosen(group id or 0)``, ``batch_requested(group id, size)``.
    """

    rule_changed = Signal()
    save_requested = Signal(str)
    group_chosen = Signal(int)
    batch_requested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        heading = QLabel("Choose repeat customers for a pilot")
        heading.setObjectName("cardTitle")
        outer.addWidget(heading)
        form = QFormLayout()
        self.months = QSpinBox(minimum=1, maximum=120, value=12, suffix=" months")
        self.min_jobs = QSpinBox(minimum=1, maximum=1000, value=2, suffix=" jobs or more")
        self.open_work = QCheckBox("Only customers with an open quote or unpaid invoice")
        self.not_invited = QCheckBox("Only customers nobody has invited yet")
        self.not_invited.setChecked(True)
        self.group_size = QSpinBox(minimum=0, maximum=5000, value=50)
        self.group_size.setSpecialValueText("No limit")
        self.group_size.setToolTip("The customers with the most recent work come first.")
        form.addRow("Work in the last", self.months)
        form.addRow("At least", self.min_jobs)
        form.addRow("", self.open_work)
        form.addRow("", self.not_invited)
        form.addRow("Group size at most", self.group_size)
        outer.addLayout(form)
        for spin in (self.months, self.min_jobs, self.group_size):
            spin.valueChanged.connect(self.rule_changed)
        for box in (self.open_work, self.not_invited):
            box.toggled.connect(self.rule_changed)
        self.match = QLabel("Checking how many customers match…")
        self.match.setObjectName("cardText")
        self.match.setWordWrap(True)
        outer.addWidget(self.match)
        save_row = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name of the group, e.g. Spring pilot")
        self.name.setMaxLength(100)
        self.save = QPushButton("Save as group")
        self.save.clicked.connect(lambda: self.save_requested.emit(self.name.text().strip()))
        save_row.addWidget(self.name, 1)
        save_row.addWidget(self.save)
        outer.addLayout(save_row)
        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        outer.addWidget(self.form_error)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        outer.addWidget(line)
        groups_title = QLabel("Saved groups")
        groups_title.setObjectName("cardTitle")
        outer.addWidget(groups_title)
        self.groups = QComboBox()
        self.groups.currentIndexChanged.connect(
            lambda _i: self.group_chosen.emit(int(self.groups.currentData() or 0))
        )
        outer.addWidget(self.groups)
        self.group_text = QLabel("No group saved yet.")
        self.group_text.setObjectName("cardText")
        self.group_text.setWordWrap(True)
        outer.addWidget(self.group_text)
        batch_row = QHBoxLayout()
        self.batch_size = QSpinBox(minimum=1, maximum=500, value=25, suffix=" customers")
        self.invite = QPushButton("Invite next batch")
        self.invite.clicked.connect(
            lambda: self.batch_requested.emit(
                int(self.groups.currentData() or 0), self.batch_size.value()
            )
        )
        batch_row.addWidget(QLabel("Batch of"))
        batch_row.addWidget(self.batch_size)
        batch_row.addStretch(1)
        batch_row.addWidget(self.invite)
        outer.addLayout(batch_row)
        self.batch_text = QLabel()
        self.batch_text.setObjectName("cardText")
        self.batch_text.setWordWrap(True)
        outer.addWidget(self.batch_text)
        # Beside taller charts the card grows: keep its rows together at the top.
        outer.addStretch(1)

    def rule(self) -> dict[str, Any]:
        """The rule as the form sets it."""
        return rule_from_form(
            self.months.value(),
            self.min_jobs.value(),
            self.open_work.isChecked(),
            self.not_invited.isChecked(),
            self.group_size.value(),
        )

    def show_error(self, message: str | None) -> None:
        """A plain message under the save row (None hides it)."""
        self.form_error.setText(message or "")
        self.form_error.setVisible(bool(message))

    def show_groups(self, groups: Sequence[Mapping[str, Any]], chosen: int | None) -> None:
        """Fill the group list, keeping the chosen one (or the newest)."""
        self.groups.blockSignals(True)
        self.groups.clear()
        for g in groups:
            self.groups.addItem(f"{g['name']} ({g['size']:,} customers)", int(g["id"]))
        index = self.groups.findData(chosen) if chosen else 0
        self.groups.setCurrentIndex(max(index, 0))
        self.groups.blockSignals(False)
        self.invite.setEnabled(bool(groups) and self.invite.property("allowed") is not False)
        current = next((g for g in groups if g["id"] == self.groups.currentData()), None)
        self.show_group(current)

    def show_group(self, group: Mapping[str, Any] | None) -> None:
        """One group's rule, size and progress."""
        if group is None:
            self.group_text.setText("No group saved yet. Set a rule above and save it.")
            return
        left = group["size"] - group["batch_invited"]
        by = f" by {group['created_by']}" if group.get("created_by") else ""
        self.group_text.setText(
            f"{describe_rule(group['rule'])}. Saved{by} on {group['created_at'][:10]}. "
            f"{group['batch_invited']:,} of {group['size']:,} sent an invite, {left:,} to go."
        )
