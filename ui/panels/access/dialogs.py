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
from server.wire.emails import email_problem


def invite_blockers(contact: dict[str, Any], shared_with: list[str]) -> list[str]:
    """What stops an invite to this contact, each worded as the problem it is."""
    email = (contact.get("email") or "").strip()
    if not email:
        return [f"{contact.get('name', 'This contact')} has no email address, so no invite can go."]
    problem = email_problem(email)
    if problem:
        return [problem]
    if shared_with:
        names = ", ".join(shared_with[:3]) + (" and others" if len(shared_with) > 3 else "")
        return [
            f"{email} is also the email of a contact of {names}. An invite must reach only the "
            "person the address belongs to: give this contact their own email first."
        ]
    return []


class InviteDialog(QDialog):
    """Choose which contact of the customer to invite; a bad email is fixed here, not sent.

    ``confirmed(contact_id)`` sends the invite; ``email_edit_requested(contact_id, email)``
    asks the panel to save a corrected email (``update_contacts`` then shows the result).
    """

    confirmed = Signal(int)
    email_edit_requested = Signal(int, object)

    def __init__(
        self,
        customer_name: str,
        contacts: list[dict[str, Any]],
        shared: dict[int, list[str]],
        *,
        portal_active: bool = True,
        can_edit: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invite to the portal")
        self.setMinimumWidth(520)
        self.contacts = contacts
        self.shared = shared
        self.can_edit = can_edit
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Invite a contact of <b>{_esc(customer_name)}</b>:"))
        self.choice = QComboBox()
        layout.addWidget(self.choice)
        self.warning = QLabel()
        self.warning.setObjectName("formError")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        # The fix in place: correct the email here, then invite.
        self.fix_row = QWidget()
        fix = QHBoxLayout(self.fix_row)
        fix.setContentsMargins(0, 0, 0, 0)
        fix.addWidget(QLabel("Email:"))
        self.email = QLineEdit()
        self.email.setObjectName("inviteEmail")
        self.email.setPlaceholderText("name@example.com")
        self.email.textEdited.connect(self._check_typed)
        self.email.returnPressed.connect(self._save_email)
        fix.addWidget(self.email, 1)
        self.save_email = QPushButton("Save email")
        self.save_email.clicked.connect(self._save_email)
        fix.addWidget(self.save_email)
        layout.addWidget(self.fix_row)
        self.fix_note = QLabel()
        self.fix_note.setObjectName("cardText")
        self.fix_note.setWordWrap(True)
        layout.addWidget(self.fix_note)
        if portal_active:
            when = "They get an email with a link that works for 7 days to choose a password."
        else:
            when = (
                "The portal is coming soon, so this invite is held: its email goes out when the "
                "portal goes live, and its 7 days start then. It shows as “Held until the portal "
                "goes live” meanwhile."
            )
        self.when = QLabel(when)
        self.when.setObjectName("cardText" if portal_active else "formWarning")
        self.when.setWordWrap(True)
        layout.addWidget(self.when)
        self.buttons = QDialogButtonBox()
        label = "Send invite" if portal_active else "Hold invite until live"
        self.send = self.buttons.addButton(label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._update)
        self.update_contacts(contacts, shared)

    def update_contacts(self, contacts: list[dict[str, Any]], shared: dict[int, list[str]]) -> None:
        """Show fresh contacts (after an email was saved), keeping the chosen one."""
        keep = self.choice.currentData()
        self.contacts, self.shared = contacts, shared
        self.choice.blockSignals(True)
        self.choice.clear()
        for c in contacts:
            self.choice.addItem(f"{c['name']} — {c.get('email') or 'no email'}", c["id"])
        self.choice.blockSignals(False)
        if keep is not None:
            self.select_contact(int(keep))
        self._update()

    def select_contact(self, contact_id: int) -> None:
        """Preselect a contact."""
        i = self.choice.findData(contact_id)
        if i >= 0:
            self.choice.setCurrentIndex(i)
        self._update()

    def current(self) -> dict[str, Any]:
        """The chosen contact."""
        i = self.choice.currentIndex()
        return self.contacts[i] if 0 <= i < len(self.contacts) else {}

    def _update(self) -> None:
        contact = self.current()
        blockers = invite_blockers(contact, self.shared.get(contact.get("id", 0), []))
        self.warning.setText("\n".join(blockers))
        self.warning.setVisible(bool(blockers))
        # Nothing is sent that the server would refuse: the problem is fixed first.
        self.send.setEnabled(bool(contact) and not blockers)
        self.send.setToolTip("Fix the email first." if blockers else "")
        self.fix_row.setVisible(bool(blockers) and self.can_edit)
        self.email.setText(contact.get("email") or "")
        self.save_email.setEnabled(False)
        if blockers and not self.can_edit:
            self.fix_note.setText(
                "Changing a contact's email needs the “edit contacts” permission, which your "
                "role does not have. Ask the workspace owner, or correct it in your CRM."
            )
        elif blockers:
            self.fix_note.setText("Correct the email here and save it; then send the invite.")
        self.fix_note.setVisible(bool(blockers))
        self.adjustSize()

    def _check_typed(self, text: str) -> None:
        problem = email_problem(text) if text.strip() else "Type the contact's email address."
        same = text.strip().lower() == (self.current().get("email") or "").strip().lower()
        self.save_email.setEnabled(problem is None and not same)
        self.fix_note.setText(problem or "Save the email, then send the invite.")

    def _save_email(self) -> None:
        if not self.save_email.isEnabled():
            return
        self.save_email.setEnabled(False)
        self.fix_note.setText("Saving…")
        self.email_edit_requested.emit(int(self.current()["id"]), self.email.text().strip())

    def email_not_saved(self, message: str) -> None:
        """The server refused the new email: say why and let them try again."""
        self.fix_note.setText(message)
        self.save_email.setEnabled(True)

    def _accept(self) -> None:
        if not self.send.isEnabled():
            return
        self.confirmed.emit(int(self.choice.currentData()))
        self.accept()


class EmailDialog(QDialog):
    """Correct one contact's email from the customer's details; ``save_requested(email)``."""

    save_requested = Signal(object)

    def __init__(self, contact: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change email")
        self.setMinimumWidth(480)
        self.contact_id = int(contact["id"])
        self.current = (contact.get("email") or "").strip()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Email of <b>{_esc(contact.get('name', ''))}</b>:"))
        self.email = QLineEdit(self.current)
        self.email.setObjectName("contactEmail")
        self.email.setPlaceholderText("name@example.com")
        self.email.textEdited.connect(self._check)
        layout.addWidget(self.email)
        self.problem = QLabel(email_problem(self.current) or "")
        self.problem.setObjectName("formError")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        if contact.get("portal_account"):
            note = QLabel(
                "They have a portal account: they will sign in with the new address, links "
                "already sent stop working, and the old address is told of the change."
            )
            note.setObjectName("formWarning")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.buttons = QDialogButtonBox()
        self.save = self.buttons.addButton("Save email", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.save.setEnabled(False)

    def _check(self, text: str) -> None:
        problem = email_problem(text) if text.strip() else "Type the contact's email address."
        self.problem.setText(problem or "")
        self.save.setEnabled(problem is None and text.strip().lower() != self.current.lower())

    def _save(self) -> None:
        if self.save.isEnabled():
            self.save.setEnabled(False)
            self.problem.setText("Saving…")
            self.save_requested.emit(self.email.text().strip())

    def email_not_saved(self, message: str) -> None:
        """The server refused the new email: say why and let them try again."""
        self.problem.setText(message)
        self.save.setEnabled(True)


class DisableDialog(QDialog):
    """Disable access: a reason is required and the consequence is spelled out."""

    confirmed = Signal(str)

    def __init__(self, contact_name: str, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Disable portal access")
        self.setMinimumWidth(480)
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
        self.reason.setPlaceholderText("For example: moved out, sold the property, asked us to")
        # Room for the placeholder and three lines of reason, whatever the font.
        lines = self.reason.fontMetrics().lineSpacing()
        self.reason.setFixedHeight(lines * 4 + 12)
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
        self.setWindowTitle("Invite held" if invite.get("held") else "Invite sent")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        if invite.get("held"):
            head = QLabel(
                f"<b>{_esc(contact_name)}</b> is invited. The invite is <b>held until the portal "
                "goes live</b>: its email goes out then, with a link that works for 7 days from "
                "that moment."
            )
            head.setWordWrap(True)
            head.setObjectName("inviteHead")
            layout.addWidget(head)
            self.link = QLineEdit("")
            self.copy = QPushButton("Copy link")
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.rejected.connect(self.accept)
            layout.addWidget(buttons)
            return
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
