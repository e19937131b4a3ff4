"""Team dialogs: inviting a member, and the link to hand over (shown once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.team import ROLES


class InviteMemberDialog(QDialog):
    """Email, name and role of a new member. Emits ``confirmed(email, name, role)``.

    There is no password field on purpose: the new member chooses their own from the link.
    """

    confirmed = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invite a team member")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        lead = QLabel(
            "They get an email with a link to choose their own password (valid 7 days). "
            "Nobody else ever types or sees it."
        )
        lead.setWordWrap(True)
        layout.addWidget(lead)
        form = QFormLayout()
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@yourbusiness.com")
        self.name = QLineEdit()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role.title(), role)
        self.role.setCurrentIndex(ROLES.index("dispatcher"))
        form.addRow("Email", self.email)
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Send invite", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_error(self, message: str) -> None:
        """A plain message in the dialog (the dialog stays open)."""
        self.error.setText(message)
        self.error.show()
        self.ok.setEnabled(True)

    def _accept(self) -> None:
        email, name = self.email.text().strip(), self.name.text().strip()
        if "@" not in email:
            self.show_error("Type the new member's email address, like name@example.com.")
            return
        if not name:
            self.show_error("Type the new member's name, as the team will see it.")
            return
        self.ok.setEnabled(False)
        self.confirmed.emit(email, name, str(self.role.currentData()))


class InviteLinkDialog(QDialog):
    """The invite link, shown once, to hand over if the email does not arrive."""

    def __init__(self, answer: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        member = answer["member"]
        self.setWindowTitle("Invite sent")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"An invite is on its way to {member['email']}. They choose their own password "
            f"from the link, then sign in as {member['role']}. The link works once, until "
            f"{str(answer['expires_at'])[:10]}. If the email does not arrive, hand them this "
            "link yourself (it is not shown again):"
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        # A retried request is answered without the link (it is shown once only).
        self.link = QLineEdit(
            str(answer.get("invite_url") or "Shown once already: send a new link if it is lost.")
        )
        self.link.setReadOnly(True)
        layout.addWidget(self.link)
        copy = QPushButton("Copy link")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.link.text()))
        layout.addWidget(copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
