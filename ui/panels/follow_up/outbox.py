"""The mail outbox tab: pending, sent, failed and cancelled emails with their error; retry and
cancel. Layout and its own small requests; errors go to the one error place (``ctx.ops``)."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import follow_ups
from app.errors import ApiError
from app.follow_up_text import when
from server.wire.permissions import Permission
from ui.context import PanelContext

COLUMNS = ("Queued", "To", "Subject", "Status", "Attempts", "Error")
STATUS_LABELS = {
    "pending": "Waiting to send",
    "sent": "Sent",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
STATUS_COLORS = {"pending": "#1d4ed8", "sent": "#15803d", "failed": "#b91c1c"}
RETRYABLE = frozenset({"pending", "failed"})


class OutboxView(QWidget):
    """The outbox, newest first, a page at a time."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.emails: list[dict[str, Any]] = []
        self.next_cursor: str | None = None
        self.loaded = False
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        self.status = QComboBox()
        self.status.addItem("Every email", None)
        for status, label in STATUS_LABELS.items():
            self.status.addItem(label, status)
        self.status.currentIndexChanged.connect(lambda _i: self.load())
        top.addWidget(self.status)
        top.addStretch(1)
        self.retry = QPushButton("Send again")
        self.retry.clicked.connect(lambda: self.act("retry"))
        self.cancel = QPushButton("Cancel sending")
        self.cancel.clicked.connect(lambda: self.act("cancel"))
        self.refresh = QPushButton("Refresh")
        self.refresh.clicked.connect(lambda: self.load())
        for button in (self.retry, self.cancel, self.refresh):
            top.addWidget(button)
        layout.addLayout(top)
        self.message = QLabel()
        self.message.setObjectName("detailText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("outboxTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col, width in enumerate((110, 200, 220, 110, 70)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        self.more = QPushButton("Show older emails")
        self.more.clicked.connect(lambda: self.load(more=True))
        self.more.hide()
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignLeft)
        self._update_buttons()

    def load(self, more: bool = False) -> asyncio.Task[Any]:
        """Read the first page (or the next one) of the outbox."""
        return self.ctx.ops.run(self._load(more), label="Reading the outbox", key="outbox")

    async def _load(self, more: bool) -> None:
        cursor = self.next_cursor if more else None
        page = await follow_ups.outbox(self.ctx.api, self.status.currentData(), cursor)
        self.emails = (self.emails if more else []) + list(page["data"])
        self.next_cursor = page.get("next_cursor")
        self.loaded = True
        if not more:  # new rows: a chosen row would now point at another email
            self.table.clearSelection()
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.emails))
        for row, email in enumerate(self.emails):
            status = str(email["status"])
            values = (
                when(email.get("created_at")),
                email.get("to_address") or "",
                email.get("subject") or "",
                STATUS_LABELS.get(status, status),
                str(email.get("attempts", 0)),
                email.get("last_error") or "",
            )
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                if col == 3 and status in STATUS_COLORS:
                    cell.setForeground(QColor(STATUS_COLORS[status]))
                if col == 5 and value:
                    cell.setForeground(QColor("#b91c1c"))
                self.table.setItem(row, col, cell)
        self.more.setVisible(bool(self.next_cursor))
        if not self.emails:
            self.message.setText(
                "No emails here." if self.status.currentData() else "The outbox is empty."
            )
        else:
            failed = sum(e["status"] == "failed" for e in self.emails)
            self.message.setText(
                f"{failed:,} failed: choose one and Send again once the address is right "
                "(Access ▸ the customer ▸ edit the email)."
                if failed
                else ""
            )
        self._update_buttons()

    def selected(self) -> dict[str, Any] | None:
        """The email on the chosen row."""
        rows = self.table.selectionModel().selectedRows()
        return self.emails[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        email = self.selected()
        allowed = self.ctx.session.can(Permission.VIEW_MAIL)
        for button in (self.retry, self.cancel):
            if not allowed:
                button.setEnabled(False)
                button.setToolTip("Needs the 'view_mail' permission.")
            elif email is None:
                button.setEnabled(False)
                button.setToolTip("Choose an email in the list first.")
            elif email["status"] not in RETRYABLE:
                button.setEnabled(False)
                button.setToolTip(
                    f"This email is {STATUS_LABELS[email['status']].lower()}: only emails "
                    "waiting to send or failed can be sent again or cancelled."
                )
            else:
                button.setEnabled(True)
                button.setToolTip("")

    def act(self, action: str) -> asyncio.Task[Any] | None:
        """Send the chosen email again, or cancel it."""
        email = self.selected()
        if email is None:
            return None
        label = "Sending the email again" if action == "retry" else "Cancelling the email"
        return self.ctx.ops.run(self._act(int(email["id"]), action), label=label)

    async def _act(self, email_id: int, action: str) -> None:
        try:
            fresh = await follow_ups.outbox_action(self.ctx.api, email_id, action)
        except ApiError as exc:
            if exc.status in (404, 409):
                await self._load(False)
                self.message.setText(f"{exc.message} The list shows the outbox as it is now.")
                return
            raise
        self.emails = [fresh if int(e["id"]) == email_id else e for e in self.emails]
        self._fill()
        done = "queued to send again" if action == "retry" else "cancelled: it will not be sent"
        self.message.setText(f"The email to {fresh.get('to_address')} is {done}.")
