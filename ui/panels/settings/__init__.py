"""The Settings panel: what a rollout needs in one place — workspace name, time zone, locale
and currency (used for every date, time and amount customers see), and the payment provider's
status (read-only)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import workspace_settings
from app.errors import ApiError
from server.domain.local_formats import format_amount, format_when
from server.wire.permissions import Permission
from server.wire.settings import currency_problem, locale_problem, time_zone_problem
from ui.context import PanelContext
from ui.panels.branding.fields import card
from ui.panels.settings.notifications import NotificationsCard

NEEDS_WORKSPACE = "Changing workspace settings needs the “edit workspace” permission."
ZONE_REQUIRED = (
    "Choose the business's time zone: until then customers see times in UTC, marked “UTC”."
)


@dataclass(frozen=True)
class _Typed:
    """The zone and locale as typed, for the sample line."""

    time_zone: str | None
    locale: str


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for code, label in items:
        box.addItem(label, code)
    completer = QCompleter(box.model(), box)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    box.setCompleter(completer)
    return box


def _chosen(box: QComboBox) -> str:
    """The code of the item whose label is typed, or the typed text itself."""
    text = box.currentText().strip()
    index = box.findText(text, Qt.MatchFlag.MatchFixedString)
    return str(box.itemData(index)) if index >= 0 else text


class SettingsView(QScrollArea):
    """Layout only: the workspace card, the payments card, and the save row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 16, 24, 16)
        title = QLabel("Workspace settings")
        title.setObjectName("pageTitle")
        column.addWidget(title)
        frame, layout = card(
            "Your business",
            "Portal pages, emails and the times the console shows customers use these.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.time_zone = _combo([(z, z.replace("_", " ")) for z in workspace_settings.time_zones()])
        self.language = _combo([(c, f"{label} ({c})") for c, label in workspace_settings.locales()])
        self.currency = _combo([(c, f"{c} — {n}") for c, n in workspace_settings.currencies()])
        self.errors: dict[str, QLabel] = {}
        for key, label, widget in (
            ("name", "Workspace name", self.name),
            ("time_zone", "Time zone", self.time_zone),
            ("locale", "Language and region", self.language),
            ("currency", "Currency", self.currency),
        ):
            holder = QWidget()
            rows = QVBoxLayout(holder)
            rows.setContentsMargins(0, 0, 0, 0)
            rows.addWidget(widget)
            error = QLabel()
            error.setObjectName("formError")
            error.setWordWrap(True)
            error.hide()
            rows.addWidget(error)
            self.errors[key] = error
            form.addRow(label, holder)
        layout.addLayout(form)
        self.sample = QLabel()
        self.sample.setObjectName("cardText")
        self.sample.setWordWrap(True)
        layout.addWidget(self.sample)
        column.addWidget(frame)
        pay_frame, pay_layout = card("Card payments", "Read-only: set up on the server.")
        self.payment = QLabel()
        self.payment.setObjectName("cardText")
        self.payment.setWordWrap(True)
        self.payment.setTextFormat(Qt.TextFormat.PlainText)
        pay_layout.addWidget(self.payment)
        column.addWidget(pay_frame)
        actions = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        actions.addWidget(self.status, 1)
        self.save_button = QPushButton("Save settings")
        actions.addWidget(self.save_button)
        column.addLayout(actions)
        self.column = column
        column.addStretch(1)
        self.setWidget(body)

    def show_error(self, field: str, message: str | None) -> None:
        """A plain message beside one field."""
        label = self.errors[field]
        label.setText(message or "")
        label.setVisible(bool(message))


class SettingsPanel(QWidget):
    """Wires the settings view to the workspace API with its ETag."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = SettingsView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.data: dict[str, Any] = {}
        self.etag = ""
        self.loading: asyncio.Task[Any] | None = None
        self.view.save_button.clicked.connect(self._on_save)
        # This computer's own choices, below the workspace's (saved apart, in the console).
        self.notifications = NotificationsCard(ctx.settings)
        self.view.column.insertWidget(self.view.column.count() - 1, self.notifications)
        self.view.time_zone.currentTextChanged.connect(lambda _t: self._on_typed())
        self.view.language.currentTextChanged.connect(lambda _t: self._on_typed())
        self.view.currency.currentTextChanged.connect(lambda _t: self._on_typed())
        if not ctx.session.can(Permission.EDIT_WORKSPACE):
            self.view.save_button.setEnabled(False)
            self.view.save_button.setToolTip(NEEDS_WORKSPACE)
            for widget in (self.view.name, self.view.time_zone, self.view.language):
                widget.setEnabled(False)
            self.view.currency.setEnabled(False)
        QTimer.singleShot(0, self.load)

    def load(self) -> asyncio.Task[Any]:
        """Read the workspace settings."""
        self.loading = self.ctx.ops.run(self._load, label="Loading settings", key="settings-load")
        return self.loading

    async def _load(self) -> None:
        self.data, self.etag = await workspace_settings.load(self.ctx.api)
        self._fill()

    def _fill(self) -> None:
        view, data = self.view, self.data
        view.name.setText(data["name"])
        self._select(view.time_zone, data.get("time_zone") or "")
        self._select(view.language, data.get("locale") or "en_US")
        self._select(view.currency, data.get("currency") or "USD")
        view.show_error("time_zone", None if data.get("time_zone") else ZONE_REQUIRED)
        self._show_payment(data.get("payment") or {})
        self._on_typed()

    @staticmethod
    def _select(box: QComboBox, code: str) -> None:
        index = box.findData(code)
        if index >= 0:
            box.setCurrentIndex(index)
        else:
            box.setEditText(code)

    def _show_payment(self, payment: dict[str, Any]) -> None:
        if not payment:
            self.view.payment.setText("Payment status is not available from this server.")
            return
        provider = {"sandbox": "Sandbox (built-in test payments)", "stripe": "Stripe"}.get(
            payment["provider"], payment["provider"]
        )
        mode = "Test mode: no money is taken." if payment["test_mode"] else "Live: real payments."
        heard = payment.get("last_webhook_at")
        webhook = (
            f"Provider last heard from: {heard.replace('T', ' ')[:16]} UTC."
            if heard
            else "The provider has not called the portal yet."
        )
        self.view.payment.setText(f"{provider}\n{mode}\n{webhook}")

    def _changes(self) -> dict[str, str]:
        view = self.view
        typed = {
            "name": view.name.text().strip(),
            "time_zone": _chosen(view.time_zone),
            "locale": _chosen(view.language),
            "currency": _chosen(view.currency).upper(),
        }
        return {k: v for k, v in typed.items() if v and v != self.data.get(k)}

    def _problems(self) -> dict[str, str]:
        view = self.view
        problems = {}
        if not view.name.text().strip():
            problems["name"] = "The workspace needs a name."
        zone = _chosen(view.time_zone)
        if not zone:
            problems["time_zone"] = ZONE_REQUIRED
        elif p := time_zone_problem(zone):
            problems["time_zone"] = p
        if p := locale_problem(_chosen(view.language)):
            problems["locale"] = p
        if p := currency_problem(_chosen(view.currency).upper()):
            problems["currency"] = p
        return problems

    def _on_typed(self) -> None:
        problems = self._problems()
        for field in self.view.errors:
            self.view.show_error(field, problems.get(field))
        if not problems:
            typed = _Typed(_chosen(self.view.time_zone), _chosen(self.view.language))
            now = datetime.now(UTC)
            currency = _chosen(self.view.currency).upper()
            self.view.sample.setText(
                f"Customers will read times like “{format_when(now, typed)}” and amounts "
                f"like “{format_amount(123450, currency, typed)}”."
            )

    def _on_save(self) -> None:
        problems = self._problems()
        if problems:
            self.view.status.setText("Fix the fields marked in red first.")
            return
        changes = self._changes()
        if not changes:
            self.view.status.setText("Nothing has changed.")
            return
        self.ctx.ops.run(self._save(changes), label="Saving workspace settings")

    async def _save(self, changes: dict[str, str]) -> None:
        try:
            self.data, self.etag = await workspace_settings.update(self.ctx.api, self.etag, changes)
        except ApiError as exc:
            if exc.status == 412:
                self.data, self.etag = await workspace_settings.load(self.ctx.api)
                self._fill()
                self.view.status.setText(
                    "Someone changed the settings meanwhile; nothing of yours was saved. "
                    "The current settings are shown: make your change again."
                )
                return
            for field, message in exc.errors.items():
                if field in self.view.errors:
                    self.view.show_error(field, message)
            self.view.status.setText(exc.message)
            return
        self._fill()
        self.view.status.setText("Saved. Portal pages and new emails use these settings now.")
