"""Email clean-up: invalid, missing, duplicated and shared emails, fixed in place.

Picking a row reads the contact and its ETag; saving sends the edit with ``If-Match``, so an
edit made by someone else in between is reported instead of overwritten.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import access, email_cleanup
from app.errors import ApiError
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.access.records_model import RecordsModel

SIGN_IN_EMAIL_LOCKED = (
    "This contact signs in to the portal with this email, so changing it needs the "
    "'edit contact email' permission (owners and managers have it). Ask the workspace owner."
)
COLUMNS = [
    ("Problem", lambda r: r.get("fixed") or email_cleanup.KINDS[r["kind"]]),
    ("Customer", lambda r: r["customer_name"]),
    ("Contact", lambda r: r["contact_name"]),
    ("Email", lambda r: r.get("email") or "—"),
    ("What is wrong", lambda r: r.get("problem")),
]


class EmailCleanupView(QWidget):
    """The clean-up report as a table with an editor for the selected contact's email."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.etag: str | None = None
        self.editing_row: int | None = None
        self.loaded = False
        self.report: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel("Emails to fix before inviting everyone.")
        self.summary.setObjectName("cleanupSummary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.reload = QPushButton("Reload")
        self.reload.clicked.connect(self.load)
        top.addWidget(self.reload)
        layout.addLayout(top)
        self.model = RecordsModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("cleanupTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for c, w in enumerate((220, 180, 160, 240)):
            self.table.setColumnWidth(c, w)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self.pick(cur.row()))
        layout.addWidget(self.table, 1)
        edit = QHBoxLayout()
        self.who = QLabel("Pick a contact to fix their email.")
        edit.addWidget(self.who)
        self.email = QLineEdit()
        self.email.setObjectName("cleanupEmail")
        self.email.setPlaceholderText("new email address")
        self.email.returnPressed.connect(self.save)
        edit.addWidget(self.email, 1)
        self.save_button = QPushButton("Save email")
        self.save_button.clicked.connect(self.save)
        edit.addWidget(self.save_button)
        layout.addLayout(edit)
        self.message = QLabel("")
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        can_edit = ctx.session.can(Permission.EDIT_CONTACTS)
        self.email.setEnabled(False)
        self.save_button.setEnabled(False)
        self.save_button.setVisible(can_edit)
        self.email.setVisible(can_edit)

    def load(self) -> Any:
        """Fetch the report again."""
        return self.ctx.ops.run(self._load(), label="Loading the email clean-up", key="hygiene")

    async def _load(self) -> None:
        report = await access.email_hygiene(self.ctx.api)
        self.loaded = True
        self.report = report
        self.model.set_records(email_cleanup.rows(report))
        self.summary.setText(email_cleanup.summary(report))

    async def _recount(self) -> None:
        """After a fix: the server's counts again; the rows stay so the fix stays in view."""
        report = await access.email_hygiene(self.ctx.api)
        self.report = report
        self.summary.setText(email_cleanup.summary(report))

    def pick(self, row: int) -> Any:
        """Open a contact for editing: read its current email and version."""
        self.etag = None
        self.editing_row = None
        self.email.setEnabled(False)
        self.save_button.setEnabled(False)
        if not 0 <= row < self.model.rowCount():
            return None
        record = self.model.records[row]
        self.who.setText(f"{record['contact_name']} ({record['customer_name']}):")
        return self.ctx.ops.run(self._pick(row, record), label="Opening contact", key="hyg-pick")

    async def _pick(self, row: int, record: dict[str, Any]) -> None:
        contact, etag = await access.get_contact(self.ctx.api, int(record["contact_id"]))
        self.etag, self.editing_row = etag, row
        self.email.setText(contact.get("email") or "")
        # A portal account signs in with this email: moving it is a permission of its own.
        signs_in = contact.get("portal_account") is not None
        may = self.ctx.session.can(Permission.EDIT_CONTACTS) and (
            not signs_in or self.ctx.session.can(Permission.EDIT_CONTACT_EMAIL)
        )
        why = "" if may or not signs_in else SIGN_IN_EMAIL_LOCKED
        self.email.setEnabled(may)
        self.save_button.setEnabled(may)
        self.email.setToolTip(why)
        self.save_button.setToolTip(why)
        self.message.setText(why)
        self.email.setFocus()

    def save(self) -> Any:
        """Send the new email with the version read when the contact was opened."""
        if self.editing_row is None or self.etag is None:
            return None
        row, etag = self.editing_row, self.etag
        value = self.email.text().strip() or None
        return self.ctx.ops.run(self._save(row, etag, value), label="Saving email", key="hyg-save")

    async def _save(self, row: int, etag: str, email: str | None) -> None:
        record = self.model.records[row]
        self.save_button.setEnabled(False)
        try:
            contact, new_etag = await access.patch_contact(
                self.ctx.api, int(record["contact_id"]), etag, {"email": email}
            )
        except ApiError as exc:
            if exc.status == 412:
                self.message.setText(
                    "Not saved: someone else changed this contact since you opened it. "
                    "Pick the row again to see their change, then decide."
                )
            else:
                problem = exc.errors.get("email")
                self.message.setText(f"Not saved. {problem or exc.message}")
            self.save_button.setEnabled(True)
            return
        self.etag = new_etag
        self.save_button.setEnabled(True)
        self.message.setText("")
        fixed = {
            **record,
            "email": contact.get("email"),
            "fixed": "Fixed",
            "problem": "Saved just now.",
        }
        self.model.replace(row, fixed)
        await self._recount()
