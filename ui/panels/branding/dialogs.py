"""Branding dialogs: what publishing changes, what someone else changed, a new address."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "<i>empty</i>"
    text = str(value)
    if len(text) > 160:
        text = text[:157] + "…"
    return html.escape(text).replace("\n", "<br>")


def change_table(rows: list[tuple[str, Any, Any]], before: str, after: str) -> str:
    """An HTML table of ``(label, before, after)`` for a QTextBrowser."""
    cells = "".join(
        f"<tr><td><b>{html.escape(label)}</b></td><td>{_shown(old)}</td><td>{_shown(new)}</td></tr>"
        for label, old, new in rows
    )
    return (
        "<table cellpadding='6' cellspacing='0' border='1' style='border-collapse:collapse'>"
        f"<tr><th align='left'>What</th><th align='left'>{before}</th>"
        f"<th align='left'>{after}</th></tr>{cells}</table>"
    )


class _Base(QDialog):
    def __init__(self, title: str, lead: str, table: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        text = QLabel(lead)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.table = QTextBrowser()
        self.table.setHtml(table)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox()
        layout.addWidget(self.buttons)


class PublishDialog(_Base):
    """Lists what customers will see change; Publish confirms."""

    confirmed = Signal()

    def __init__(self, rows: list[tuple[str, Any, Any]], parent: QWidget | None = None) -> None:
        lead = (
            "Customers will see these changes on every portal page and in emails sent from now "
            "on. Emails already sent keep their old look."
        )
        super().__init__(
            "Publish branding", lead, change_table(rows, "Customers see now", "After"), parent
        )
        self.publish_button = QPushButton("Publish")
        self.publish_button.setDefault(True)
        self.buttons.addButton(self.publish_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.accepted.connect(self.confirmed)


class ConflictDialog(_Base):
    """Someone else saved or published meanwhile: shows what they changed, and lets the owner
    put their own edits on top of it or start again from theirs."""

    reapply = Signal()
    use_theirs = Signal()

    def __init__(
        self,
        theirs: list[tuple[str, Any, Any]],
        mine: list[tuple[str, Any, Any]],
        parent: QWidget | None = None,
    ) -> None:
        lead = (
            "Someone else changed the branding after you opened it, so nothing of yours was "
            "saved or published. Their changes are below. Re-apply puts your edits "
            f"({len(mine)} field{'s' if len(mine) != 1 else ''}) on top of theirs as a draft; "
            "you can then check the preview and publish."
        )
        super().__init__(
            "The branding changed meanwhile",
            lead,
            change_table(theirs, "When you opened it", "Now"),
            parent,
        )
        self.reapply_button = QPushButton("Re-apply my edits")
        self.reapply_button.setDefault(True)
        self.theirs_button = QPushButton("Discard my edits")
        self.buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.theirs_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.reapply_button.clicked.connect(self._on_reapply)
        self.theirs_button.clicked.connect(self._on_theirs)

    def _on_reapply(self) -> None:
        self.accept()
        self.reapply.emit()

    def _on_theirs(self) -> None:
        self.accept()
        self.use_theirs.emit()


class SlugDialog(QDialog):
    """Confirms a new portal address and says what happens to printed links."""

    confirmed = Signal(str)

    def __init__(
        self, old_url: str, new_url: str, slug: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the portal address")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Customers will sign in at <b>{html.escape(new_url)}</b>.<br><br>"
            f"Printed links and QR codes show <b>{html.escape(old_url)}</b>. It keeps "
            "redirecting to the new address, but reprint what you can and save a new QR "
            "code. Signed-in customers sign in again once."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        change = QPushButton("Change address")
        buttons.addButton(change, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accepted.connect(lambda: self.confirmed.emit(slug))
