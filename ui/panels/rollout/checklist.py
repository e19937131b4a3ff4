"""The readiness checklist: one card per item with its state, numbers and a fix button."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.rollout import FIX_BUTTONS


class ChecklistView(QWidget):
    """Lays out the items the server computed; emits ``fix_requested(panel key)``."""

    fix_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        self.cards: dict[str, QFrame] = {}

    def show_items(
        self, items: Sequence[Mapping[str, Any]], unavailable: Callable[[str], str | None]
    ) -> None:
        """Replace the cards; a fix button whose panel cannot open says why."""
        while self.rows.count():
            taken = self.rows.takeAt(0)
            child = taken.widget() if taken is not None else None
            if child is not None:
                child.deleteLater()
        self.buttons.clear()
        self.cards.clear()
        for item in items:
            card = self._card(item, unavailable)
            self.cards[str(item["key"])] = card
            self.rows.addWidget(card)

    def _card(self, item: Mapping[str, Any], unavailable: Callable[[str], str | None]) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        row = QHBoxLayout(card)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(12)
        state = QLabel()
        if item["ready"]:
            state.setText("✓")
            state.setObjectName("stateReady")
            state.setToolTip("Done")
        elif item["blocking"]:
            state.setText("✗")
            state.setObjectName("stateOpen")
            state.setToolTip("Open: going live needs you to acknowledge this")
        else:
            state.setText("!")
            state.setObjectName("stateAdvice")
            state.setToolTip("Advice: not required to go live")
        state.setFixedWidth(22)
        row.addWidget(state, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(2)
        title = QLabel(str(item["title"]) + ("" if item["blocking"] else "  (advice)"))
        title.setObjectName("cardTitle")
        column.addWidget(title)
        summary = QLabel(str(item["summary"]))
        summary.setObjectName("cardText")
        summary.setWordWrap(True)
        column.addWidget(summary)
        lines = [str(d) for d in item.get("details") or []]
        if item.get("how"):
            lines.append(str(item["how"]))
        if lines:
            details = QLabel("\n".join(f"• {line}" for line in lines))
            details.setObjectName("detailText")
            details.setWordWrap(True)
            column.addWidget(details)
        row.addLayout(column, 1)
        panel = item.get("panel")
        if panel:
            button = QPushButton(FIX_BUTTONS.get(str(panel), "Open"))
            why = unavailable(str(panel))
            button.setEnabled(why is None)
            button.setToolTip(why or "")
            button.clicked.connect(lambda _=False, p=str(panel): self.fix_requested.emit(p))
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.buttons[str(item["key"])] = button
            if why:
                note = QLabel(why)
                note.setObjectName("cardNote")
                note.setWordWrap(True)
                column.addWidget(note)
        return card
