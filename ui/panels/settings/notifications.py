"""The Settings panel's card for this computer's desktop notifications: which kinds of
follow-up item to be told about, and quiet hours. Saved in the console's own settings (each
person's console), not on the server. Says plainly when this desktop cannot show them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.config import Config
from app.follow_up_notify import parse_clock
from app.follow_up_text import KIND_LABELS
from ui.panels.branding.fields import card
from ui.panels.follow_up_watch import tray_available

NO_TRAY = (
    "This desktop has no notification area (system tray), so the console cannot show "
    "notifications here. Your choices are kept and apply on a desktop that has one; until "
    "then the Follow-up entry in the sidebar counts what is new."
)


class NotificationsCard(QWidget):
    """Kinds to notify and quiet hours, with their own Save button."""

    def __init__(self, settings: Config, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        frame, layout = card(
            "Desktop notifications on this computer",
            "When a customer does one of these, a notification appears; clicking it opens "
            "the item in Follow-up. Each item is announced once.",
        )
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.available = tray_available()
        self.tray_note = QLabel(
            "Notifications appear in this desktop's notification area."
            if self.available
            else NO_TRAY
        )
        self.tray_note.setObjectName("cardText" if self.available else "formError")
        self.tray_note.setWordWrap(True)
        layout.addWidget(self.tray_note)
        grid = QGridLayout()
        chosen = set(settings.get("notify_kinds"))
        self.kinds: dict[str, QCheckBox] = {}
        for i, (kind, label) in enumerate(KIND_LABELS.items()):
            box = QCheckBox(label)
            box.setChecked(kind in chosen)
            self.kinds[kind] = box
            grid.addWidget(box, i // 3, i % 3)
        layout.addLayout(grid)
        quiet = QHBoxLayout()
        quiet.addWidget(QLabel("Quiet hours from"))
        self.quiet_start = QLineEdit(settings.get("quiet_hours_start"))
        self.quiet_end = QLineEdit(settings.get("quiet_hours_end"))
        for edit in (self.quiet_start, self.quiet_end):
            edit.setPlaceholderText("HH:MM")
            edit.setMaximumWidth(80)
        quiet.addWidget(self.quiet_start)
        quiet.addWidget(QLabel("to"))
        quiet.addWidget(self.quiet_end)
        quiet.addWidget(QLabel("(leave both empty for none)"))
        quiet.addStretch(1)
        layout.addLayout(quiet)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.save = QPushButton("Save notification choices")
        self.save.clicked.connect(self.save_choices)
        row.addWidget(self.save)
        layout.addLayout(row)

    def problem(self) -> str:
        """What is wrong with the quiet hours as typed ("" when nothing)."""
        start, end = self.quiet_start.text().strip(), self.quiet_end.text().strip()
        try:
            parse_clock(start)
            parse_clock(end)
        except ValueError as exc:
            return str(exc)
        if bool(start) != bool(end):
            return "Give both ends of the quiet hours, or leave both empty."
        return ""

    def save_choices(self) -> bool:
        """Check and keep the choices; True when saved."""
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if problem:
            self.status.setText("")
            return False
        self.settings.set("notify_kinds", [k for k, box in self.kinds.items() if box.isChecked()])
        self.settings.set("quiet_hours_start", self.quiet_start.text().strip())
        self.settings.set("quiet_hours_end", self.quiet_end.text().strip())
        self.status.setText("Saved. New items follow these choices from now on.")
        return True
