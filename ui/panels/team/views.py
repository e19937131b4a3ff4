"""The Team panel's views: the member table with its actions, and the permission table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
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

from app.access_text import ago
from app.team import LAST_OWNER, ROLES, label, status_text

# Email last: it is the widest, and a narrow window still shows who, role and status.
COLUMNS = ("Name", "Role", "Status", "Last active", "Email")
FLOOR_TIP = "Owners always keep this, so that the workspace can never lock itself out."


class MembersView(QWidget):
    """The team with role, status and last activity; actions act on the selected member.

    Signals: ``invite_requested()``, ``role_requested(member id, role)``,
    ``active_requested(member id, active)``, ``resend_requested(member id)``.
    """

    invite_requested = Signal()
    role_requested = Signal(int, str)
    active_requested = Signal(int, bool)
    resend_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.members: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setWordWrap(False)
        for column, width in enumerate((160, 100, 190, 130)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._selection)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.invite = QPushButton("Invite a member…")
        self.invite.clicked.connect(self.invite_requested)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role.title(), role)
        self.change_role = QPushButton("Change role")
        self.change_role.clicked.connect(lambda: self._emit_role(str(self.role.currentData())))
        self.switch = QPushButton("Switch off")
        self.switch.clicked.connect(self._emit_switch)
        self.resend = QPushButton("Send a new link")
        self.resend.clicked.connect(lambda: self._emit_id(self.resend_requested))
        # Inviting on its own row, the selected member's actions on the next: in one row
        # they did not fit a narrow window and "Invite a member…" was cut short.
        row.addWidget(self.invite)
        row.addStretch(1)
        layout.addLayout(row)
        row = QHBoxLayout()
        for widget in (self.role, self.change_role, self.switch, self.resend):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = QLabel("Switching someone off signs them out everywhere at once. " + LAST_OWNER)
        self.note.setObjectName("detailText")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.message = QLabel()
        self.message.setObjectName("cardText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.allowed = True
        self._selection()

    def show_members(
        self, members: Sequence[Mapping[str, Any]], now: datetime | None = None
    ) -> None:
        """Fill the table, keeping the selected member."""
        chosen = self.selected()
        now = now or datetime.now(UTC)
        self.members = [dict(m) for m in members]
        self.table.setRowCount(len(members))
        for r, m in enumerate(members):
            last = m.get("last_active_at")
            values = (
                m["name"],
                str(m["role"]).title(),
                status_text(m),
                ago(last, now) if last else "Never signed in",
                m["email"],
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.ItemDataRole.UserRole, m["id"])
                self.table.setItem(r, c, item)
            if chosen is not None and m["id"] == chosen["id"]:
                self.table.selectRow(r)
        self._selection()

    def selected(self) -> dict[str, Any] | None:
        """The member of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def _selection(self) -> None:
        member = self.selected()
        if not self.allowed:
            return
        has = member is not None
        self.change_role.setEnabled(has)
        self.switch.setEnabled(has)
        self.role.setEnabled(has)
        state = member["status"] if member is not None else ""
        never = member is not None and not member["last_active_at"]
        # A withdrawn invite (switched off, never signed in) can be sent again.
        self.resend.setEnabled(state == "invited" or (state == "deactivated" and never))
        self.switch.setText(
            {"deactivated": "Switch on", "invited": "Withdraw invite"}.get(state, "Switch off")
        )
        if member is not None:
            self.role.setCurrentIndex(max(self.role.findData(member["role"]), 0))

    def disallow(self, tip: str) -> None:
        """Every action off, each saying which permission it needs."""
        self.allowed = False
        for widget in (self.invite, self.role, self.change_role, self.switch, self.resend):
            widget.setEnabled(False)
            widget.setToolTip(tip)

    def _emit_id(self, signal: Any) -> None:
        member = self.selected()
        if member is not None:
            signal.emit(int(member["id"]))

    def _emit_role(self, role: str) -> None:
        member = self.selected()
        if member is not None:
            self.role_requested.emit(int(member["id"]), role)

    def _emit_switch(self) -> None:
        member = self.selected()
        if member is not None:
            self.active_requested.emit(int(member["id"]), member["status"] == "deactivated")


class PermissionsView(QWidget):
    """What each role may do, as ticks; the owner saves it with the version it was read at.

    Signals: ``save_requested()``, ``reload_requested()``.
    """

    save_requested = Signal()
    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        lead = QLabel(
            "Tick what each role may do. Changes apply to everyone with that role as soon as "
            "you save; people already signed in get them on their next action."
        )
        lead.setObjectName("cardText")
        lead.setWordWrap(True)
        layout.addWidget(lead)
        self.table = QTableWidget(0, len(ROLES))
        self.table.setHorizontalHeaderLabels([r.title() for r in ROLES])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setMinimumWidth(300)
        self.table.itemChanged.connect(lambda _i: self._dirty())
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.save = QPushButton("Save permissions")
        self.save.clicked.connect(self.save_requested)
        self.reload = QPushButton("Reload")
        self.reload.clicked.connect(self.reload_requested)
        row.addWidget(self.save)
        row.addWidget(self.reload)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("cardText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.editable = True

    def show_doc(self, doc: Mapping[str, Any]) -> None:
        """Fill the ticks from the server's table."""
        self.doc = dict(doc)
        names = list(doc["available"])
        floor = set(doc.get("owner_floor", ()))
        self.table.blockSignals(True)
        self.table.setRowCount(len(names))
        self.table.setVerticalHeaderLabels([label(n) for n in names])
        for r, name in enumerate(names):
            self.table.verticalHeaderItem(r).setToolTip(name)
            for c, role in enumerate(ROLES):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, name)
                on = name in doc["roles"].get(role, ())
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                if role == "owner" and name in floor:
                    flags = Qt.ItemFlag.ItemIsUserCheckable  # shown ticked, not changeable
                    item.setToolTip(FLOOR_TIP)
                if not self.editable:
                    flags &= ~Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self.save.setEnabled(False)

    def edited(self) -> dict[str, list[str]]:
        """Every role's permissions as ticked now."""
        out: dict[str, list[str]] = {role: [] for role in ROLES}
        for r in range(self.table.rowCount()):
            for c, role in enumerate(ROLES):
                item = self.table.item(r, c)
                if item is not None and item.checkState() == Qt.CheckState.Checked:
                    out[role].append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _dirty(self) -> None:
        if self.editable:
            self.save.setEnabled(True)
            self.message.setText("Not saved yet.")

    def disallow(self, tip: str) -> None:
        """Read-only: the ticks and the buttons say which permission editing needs."""
        self.editable = False
        for widget in (self.save,):
            widget.setEnabled(False)
            widget.setToolTip(tip)
