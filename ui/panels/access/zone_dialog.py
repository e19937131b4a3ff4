"""A contact's own time zone, for a customer who lives elsewhere than the business."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.workspace_settings import time_zones
from server.wire.local_time import time_zone_problem

SAME = "Same as the business"


class ZoneDialog(QDialog):
    """Choose a contact's time zone; ``save_requested(zone or None)`` on Save."""

    save_requested = Signal(object)

    def __init__(
        self, contact: dict[str, Any], business_zone: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Contact's time zone")
        self.setMinimumWidth(480)
        self.current: str | None = contact.get("time_zone") or None
        layout = QVBoxLayout(self)
        name = html.escape(str(contact.get("name", "")))
        layout.addWidget(QLabel(f"Where does <b>{name}</b> live?"))
        self.zone = QComboBox()
        self.zone.setObjectName("contactZone")
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        same = f"{SAME} ({business_zone})" if business_zone else SAME
        self.zone.addItem(same, None)
        for zone in time_zones():
            self.zone.addItem(zone, zone)
        completer = QCompleter([self.zone.itemText(i) for i in range(self.zone.count())], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)
        found = self.zone.findData(self.current) if self.current else 0
        self.zone.setCurrentIndex(max(found, 0))
        self.zone.editTextChanged.connect(self._check)
        layout.addWidget(self.zone)
        note = QLabel(
            "Portal pages show the business's local time. For a contact in another zone they "
            "name the business's zone after each time, so 2 PM is not read as their own 2 PM."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.problem = QLabel("")
        self.problem.setObjectName("formError")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox()
        self.save = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check(self.zone.currentText())

    def chosen(self) -> tuple[bool, str | None]:
        """(valid, zone): the typed or picked zone; None for "same as the business"."""
        text = self.zone.currentText().strip()
        if not text or text.startswith(SAME):
            return True, None
        return time_zone_problem(text) is None, text

    def _check(self, _text: str) -> None:
        valid, zone = self.chosen()
        self.problem.setText("" if valid else f"“{self.zone.currentText()}” is not a time zone. "
                             "Pick one from the list, like America/New_York.")  # fmt: skip
        self.save.setEnabled(valid and zone != self.current)

    def _save(self) -> None:
        valid, zone = self.chosen()
        if valid and self.save.isEnabled():
            self.save.setEnabled(False)
            self.problem.setText("Saving…")
            self.save_requested.emit(zone)

    def not_saved(self, message: str) -> None:
        """The server refused: say why and let them try again."""
        self.problem.setText(message)
        self.save.setEnabled(True)
