"""Dialogs of the Access panel: confirm an invite, disable with a reason, show the invite link.

All are opened with ``open()`` and answer through signals, never with a nested ``exec()``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.access_text import EMAIL_STATUS


def contact_warnings(contact: dict[str, Any], shared_with: list[str]) -> list[str]:
    """Why inviting this contact may not work, in plain English."""
    warnings = []
    if not contact.get("email"):
        warnings.append(f"{contact['name']} has no email address, so no invite can be sent.")
    elif contact.get("email_problem"):
        warnings.append(f"The email address looks wrong: {contact['email_problem']}")
    if shared_with:
        names = ", ".join(shared_with[:3]) + (" and others" if len(shared_with) > 3 else "")
        warnings.append(
            f"{contact.get('email')} is also the email of {names}. Invite only the person the "
            "address belongs to."
        )
    return warnings


class InviteDialog(QDialog):
    """Choose which contact of the customer to invite; warns about the email first."""

    confirmed = Signal(int)

    def __init__(
        self,
        customer_name: str,
        contacts: list[dict[str, Any]],
        shared: dict[int, list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invite to the portal")
        self.contacts = contacts
        self.shared = shared
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Invite a contact of <b>{_esc(customer_name)}</b>:"))
        self.choice = QComboBox()
        for c in contacts:
            self.choice.addItem(f"{c['name']} — {c.get('email') or 'no email'}", c["id"])
        layout.addWidget(self.choice)
        self.warning = QLabel()
        self.warning.setObjectName("formError")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        layout.addWidget(
            QLabel("They get an email with a link that works for 7 days to choose a password.")
        )
        self.buttons = QDialogButtonBox()
        self.send = self.buttons.addButton("Send invite", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._update)
        self._update()

    def select_contact(self, contact_id: int) -> None:
        """Preselect a contact."""
        i = self.choice.findData(contact_id)
        if i >= 0:
            self.choice.setCurrentIndex(i)

    def _update(self) -> None:
        contact = self.contacts[self.choice.currentIndex()] if self.contacts else {}
        warnings = contact_warnings(contact, self.shared.get(contact.get("id", 0), []))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.send.setEnabled(bool(contact.get("email")))

    def _accept(self) -> None:
        self.confirmed.emit(int(self.choice.currentData()))
        self.accept()


class DisableDialog(QDialog):
    """Disable access: a reason is required and the consequence is spelled out."""

    confirmed = Signal(str)

    def __init__(self, contact_name: str, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Disable portal access")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"<b>{_esc(contact_name)}</b> ({_esc(email)}) will be signed out everywhere at once "
            "and will not be able to sign in, use an invite or reset link, approve quotes or pay "
            "invoices in the portal until access is enabled again."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(QLabel("Reason (kept in the history; required):"))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("disableReason")
        self.reason.setPlaceholderText("e.g. moved out, sold the property, asked us to")
        self.reason.setFixedHeight(70)
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("Disable access", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(
            lambda: self.ok.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _accept(self) -> None:
        reason = self.reason.toPlainText().strip()
        if reason:
            self.confirmed.emit(reason)
            self.accept()


class InviteSentDialog(QDialog):
    """After an invite: the link (shown this once) with a copy button, and the email's fate."""

    def __init__(self, invite: dict[str, Any], contact_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Invite sent")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        email = invite.get("email") or {}
        status = EMAIL_STATUS.get(str(email.get("status")), str(email.get("status")))
        head = QLabel(
            f"<b>{_esc(contact_name)}</b> is invited. The invite email to "
            f"{_esc(email.get('to_address', ''))} is <b>{_esc(status)}</b>."
        )
        head.setWordWrap(True)
        head.setObjectName("inviteHead")
        layout.addWidget(head)
        if status == "failed":
            warn = QLabel("The email could not be sent. Give them the link another way.")
            warn.setObjectName("formError")
            layout.addWidget(warn)
        layout.addWidget(QLabel("Invite link (works for 7 days; it is shown only now):"))
        row = QHBoxLayout()
        self.link = QLineEdit(str(invite.get("invite_url", "")))
        self.link.setObjectName("inviteLink")
        self.link.setReadOnly(True)
        self.link.setCursorPosition(0)
        row.addWidget(self.link, 1)
        self.copy = QPushButton("Copy link")
        self.copy.clicked.connect(self._copy)
        row.addWidget(self.copy)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.link.text())
        self.copy.setText("Copied")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
