"""Confirming a portal switch: what changes for customers, and each open item ticked off."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from app.rollout import Confirmation


class ConfirmSwitchDialog(QDialog):
    """Says what changes; with open blocking items, each must be acknowledged by a tick.

    Emits ``confirmed(list of acknowledged item keys)``; opened with ``open()``.
    """

    confirmed = Signal(list)

    def __init__(self, text: Confirmation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(text.title)
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        # Wrapped labels get the height they need instead of being squeezed together.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        title = QLabel(text.title)
        title.setObjectName("cardTitle")
        layout.addWidget(title)
        layout.addWidget(self._para("What changes for customers:"))
        layout.addWidget(self._para("\n".join(f"• {line}" for line in text.changes)))
        self.ticks: dict[str, QCheckBox] = {}
        if text.open_items:
            layout.addWidget(
                self._para(
                    "These checklist items are still open. Tick each one to confirm you go "
                    "live knowing it:",
                    "formError",
                )
            )
            for key, name, summary in text.open_items:
                box = QCheckBox(f"I know: {name}")
                box.setToolTip(summary)
                box.toggled.connect(self._update)
                self.ticks[key] = box
                layout.addWidget(box)
                why = self._para(summary, "detailText")
                why.setContentsMargins(24, 0, 0, 4)
                layout.addWidget(why)
        if text.advice:
            layout.addWidget(self._para("Also worth a look (not required):"))
            layout.addWidget(self._para("\n".join(f"• {a}" for a in text.advice), "detailText"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(text.button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()

    def _para(self, text: str, name: str = "cardText") -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _update(self) -> None:
        missing = [
            b.text().removeprefix("I know: ") for b in self.ticks.values() if not b.isChecked()
        ]
        self.ok.setEnabled(not missing)
        self.ok.setToolTip(f"Tick first: {', '.join(missing)}" if missing else "")

    def _accept(self) -> None:
        if all(b.isChecked() for b in self.ticks.values()):
            self.confirmed.emit(list(self.ticks))
            self.accept()
