"""The Follow-up panel's small dialogs: done with a note, assign, and the three decisions on a
service request (accept with a schedule, ask for more, decline with a reason).

Each checks what it can before anything is sent and says what is wrong beside the field; the
panel sends the request and, when the server refuses, shows its reason in the same dialog,
which stays open with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.follow_ups import ASK_LIMITS, DECLINE_LIMITS


class FormDialog(QDialog):
    """A titled form with an error line and OK/Cancel; ``submitted(dict)`` when it checks out."""

    submitted = Signal(dict)

    def __init__(self, title: str, intro: str, button: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("cardTitle")
        layout.addWidget(heading)
        text = QLabel(intro)
        text.setObjectName("cardText")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_error(self, message: str) -> None:
        """Say what is wrong; the dialog stays open with what was typed."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.ok.setEnabled(True)
        self.adjustSize()  # room for the message: it never covers the field above it

    def server_refused(self, message: str, errors: Mapping[str, str]) -> None:
        """The server's reason, with its per-field messages named by field."""
        lines = [message] + [f"{self.field_label(k)}: {v}" for k, v in errors.items()]
        self.show_error("\n".join(dict.fromkeys(lines)))

    def field_label(self, name: str) -> str:
        """The label a server field name has in this form."""
        return name.replace("_", " ").capitalize()

    def values(self) -> dict[str, Any]:
        """What was typed, ready to send."""
        raise NotImplementedError

    def problem(self, values: Mapping[str, Any]) -> str:
        """What is wrong before sending ("" when nothing)."""
        return ""

    def _submit(self) -> None:
        values = self.values()
        problem = self.problem(values)
        if problem:
            self.show_error(problem)
            return
        self.error.hide()
        self.ok.setEnabled(False)  # until the server answers: no double send
        self.submitted.emit(values)


def _text_box(placeholder: str, height: int = 90) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def _length_problem(text: str, what: str, limits: tuple[int, int]) -> str:
    low, high = limits
    if len(text) < low:
        return f"Write the {what} first (at least {low} characters)."
    if len(text) > high:
        return f"The {what} is too long: {len(text):,} characters, at most {high:,}."
    return ""


class DoneDialog(FormDialog):
    """Mark an item done: a note of what was done is required."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Mark as done",
            f"{title}\n\nSay what was done, for whoever looks at this later.",
            "Mark done",
            parent,
        )
        self.note = _text_box("Called back and booked Tuesday 9:00")
        self.form.addRow("What was done", self.note)

    def values(self) -> dict[str, Any]:
        return {"note": self.note.toPlainText().strip()}

    def problem(self, values: Mapping[str, Any]) -> str:
        return _length_problem(values["note"], "note", (2, 2000))


class AssignDialog(FormDialog):
    """Give an item to a person (or to nobody)."""

    def __init__(
        self, people: list[tuple[int, str]], current: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Assign", "Who should follow this up?", "Assign", parent)
        self.person = QComboBox()
        self.person.addItem("Nobody (put it back in the inbox)", None)
        for staff_id, name in people:
            self.person.addItem(name, staff_id)
        if current is not None:
            self.person.setCurrentIndex(max(0, self.person.findData(current)))
        self.form.addRow("Person", self.person)

    def values(self) -> dict[str, Any]:
        return {"assignee_id": self.person.currentData()}


class AcceptDialog(FormDialog):
    """Accept a service request: when the work is scheduled and who does it."""

    def __init__(self, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Accept the request",
            f"{summary}\n\nThe job is scheduled; the customer sees the time on the portal.",
            "Accept and schedule",
            parent,
        )
        tomorrow = datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        start = QDateTime(QDate(tomorrow.year, tomorrow.month, tomorrow.day), QTime(9, 0))
        self.start = QDateTimeEdit(start)
        self.end = QDateTimeEdit(start.addSecs(2 * 3600))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.start.dateTimeChanged.connect(self._follow_start)
        self.technician = QLineEdit()
        self.technician.setPlaceholderText("Who goes (optional)")
        self.note = QLineEdit()
        self.note.setPlaceholderText("For the office only (optional)")
        self.form.addRow("Starts", self.start)
        self.form.addRow("Ends", self.end)
        self.form.addRow("Technician", self.technician)
        self.form.addRow("Office note", self.note)

    def _follow_start(self, start: QDateTime) -> None:
        # Moving the start keeps the length of the visit, as a calendar does.
        if self.end.dateTime() <= start:
            self.end.setDateTime(start.addSecs(2 * 3600))

    def field_label(self, name: str) -> str:
        return {"scheduled_start": "Starts", "scheduled_end": "Ends"}.get(
            name, super().field_label(name)
        )

    def values(self) -> dict[str, Any]:
        start: datetime = self.start.dateTime().toPython()  # type: ignore[assignment]
        end: datetime = self.end.dateTime().toPython()  # type: ignore[assignment]
        return {
            "start": start.astimezone(),
            "end": end.astimezone(),
            "technician": self.technician.text().strip() or None,
            "note": self.note.text().strip() or None,
        }

    def problem(self, values: Mapping[str, Any]) -> str:
        if values["end"] <= values["start"]:
            return "The visit must end after it starts: change Ends."
        if values["start"] < datetime.now().astimezone() - timedelta(minutes=5):
            return "That start is in the past: choose a time from now on."
        return ""


class AskDialog(FormDialog):
    """Ask the customer for more information; they see it on the portal and by email."""

    def __init__(self, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Ask for more information",
            f"{summary}\n\nThe customer sees your question on the portal and by email, and "
            "answers there. The item comes back to the inbox with their answer.",
            "Send question",
            parent,
        )
        self.question = _text_box("Could you send a photo of the boiler's label?")
        self.form.addRow("Question", self.question)

    def values(self) -> dict[str, Any]:
        return {"question": self.question.toPlainText().strip()}

    def problem(self, values: Mapping[str, Any]) -> str:
        return _length_problem(values["question"], "question", ASK_LIMITS)


class DeclineDialog(FormDialog):
    """Decline a service request with a reason the customer sees."""

    def __init__(self, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Decline the request",
            f"{summary}\n\nThe customer sees this reason on the portal and by email. "
            "Write it for them.",
            "Decline request",
            parent,
        )
        self.reason = _text_box("We do not cover your area; try …")
        self.form.addRow("Reason", self.reason)

    def values(self) -> dict[str, Any]:
        return {"reason": self.reason.toPlainText().strip()}

    def problem(self, values: Mapping[str, Any]) -> str:
        return _length_problem(values["reason"], "reason", DECLINE_LIMITS)


def wrap(label: QLabel) -> QLabel:
    """A label that wraps and can be selected with the mouse."""
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
