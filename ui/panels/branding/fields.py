"""Form rows with a plain message beside the field: the building blocks of the Branding views."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget


class FieldRow(QWidget):
    """An input and, under it, its hint or the problem with what was typed."""

    edited = Signal(str)

    def __init__(
        self,
        name: str,
        *,
        multiline: bool = False,
        placeholder: str = "",
        hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.hint = hint
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit: QLineEdit | QPlainTextEdit
        if multiline:
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setFixedHeight(96)
            box.setPlaceholderText(placeholder)
            box.textChanged.connect(lambda: self.edited.emit(self.name))
            self.edit = box
        else:
            line = QLineEdit()
            line.setPlaceholderText(placeholder)
            line.textEdited.connect(lambda _t: self.edited.emit(self.name))
            self.edit = line
        self.edit.setObjectName(f"field_{name}")
        layout.addWidget(self.edit)
        self.message = QLabel(hint)
        self.message.setObjectName("fieldHint")
        self.message.setWordWrap(True)
        self.message.setVisible(bool(hint))
        layout.addWidget(self.message)

    def text(self) -> str:
        """What is typed, trimmed at the ends for one-line fields."""
        if isinstance(self.edit, QPlainTextEdit):
            return self.edit.toPlainText()
        return self.edit.text().strip()

    def set_text(self, value: str | None) -> None:
        """Show a value without counting it as an edit."""
        self.edit.blockSignals(True)
        if isinstance(self.edit, QPlainTextEdit):
            if self.edit.toPlainText() != (value or ""):
                self.edit.setPlainText(value or "")
        elif self.edit.text() != (value or ""):
            self.edit.setText(value or "")
        self.edit.blockSignals(False)

    def set_problem(self, problem: str | None) -> None:
        """Show the problem beside the field, or the hint again once it is fixed."""
        text = problem or self.hint
        if self.message.text() != text:
            self.message.setText(text)
            self.message.setVisible(bool(text))
        if bool(problem) == bool(self.edit.property("invalid")):
            return  # re-styling every field on each keystroke would cost whole frames
        self.message.setObjectName("formError" if problem else "fieldHint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.edit.setProperty("invalid", bool(problem))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)

    @property
    def problem(self) -> str | None:
        """The problem shown now, if any."""
        return self.message.text() if self.message.objectName() == "formError" else None


def card(title: str, lead: str = "") -> tuple[QWidget, QVBoxLayout]:
    """A titled white card and the layout to fill."""
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 14)
    layout.setSpacing(8)
    heading = QLabel(title)
    heading.setObjectName("cardTitle")
    layout.addWidget(heading)
    if lead:
        text = QLabel(lead)
        text.setObjectName("cardText")
        text.setWordWrap(True)
        layout.addWidget(text)
    return frame, layout
