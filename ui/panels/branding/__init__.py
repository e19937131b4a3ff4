"""The Branding panel: brand name, logo, colours, contact details, portal address and emails,
edited as a draft beside the server's own rendering of it; publish or discard with ETags.

This module wires the views (``form``, ``logo_card``, ``address_card``, ``preview``) to the
``app.branding`` coroutines through ``Operations``; the views only lay out. The logo, the
address, the colours, the preview and conflicts have their own controllers beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import branding
from app.branding import BrandingState
from app.errors import ApiError
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.branding.address_card import AddressCard
from ui.panels.branding.address_controller import AddressController
from ui.panels.branding.colour_controller import ColourController
from ui.panels.branding.conflict_controller import ConflictController
from ui.panels.branding.dialogs import PublishDialog
from ui.panels.branding.fields import FieldRow
from ui.panels.branding.form import ColoursCard, DetailsCard, EmailsCard
from ui.panels.branding.logo_card import LogoCard
from ui.panels.branding.logo_controller import LogoController
from ui.panels.branding.preview import PreviewArea, web_view_factory
from ui.panels.branding.preview_controller import PreviewController

PREVIEW_DELAY_MS = 90  # after the last keystroke: typing stays smooth, the preview keeps up
SAVE_DELAY_MS = 1500  # the draft is saved on the server once typing pauses
NEEDS_EDIT = "Changing the branding needs the “edit branding” permission; ask the owner."


class BrandingPanel(QWidget):
    """The form on the left, the live preview on the right, publish and discard on top."""

    def __init__(
        self,
        ctx: PanelContext,
        parent: QWidget | None = None,
        *,
        view_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.can_edit = ctx.session.can(Permission.EDIT_BRANDING)
        self.state = BrandingState({}, None, "")
        self.base: dict[str, Any] = {}  # the version the form's edits started from
        self.values: dict[str, Any] = {}
        self.saved: dict[str, Any] = {}  # what the server's draft (or published) holds
        self.last_valid: dict[str, Any] = {}
        self.problems: dict[str, str] = {}
        self.dialog: Any = None
        self.loading: asyncio.Task[Any] | None = None
        self.last_preview: tuple[str, str] | None = None  # (tab, html or text) shown last

        self.details = DetailsCard()
        self.logo_card = LogoCard()
        self.colours = ColoursCard()
        self.address = AddressCard()
        self.emails = EmailsCard()
        self.preview = PreviewArea()
        self.rows: dict[str, FieldRow] = {
            **self.details.rows,
            **{k: c.field for k, c in self.colours.colours.items()},
            **self.emails.rows,
        }

        form = QWidget()
        column = QVBoxLayout(form)
        column.setContentsMargins(0, 0, 8, 0)
        for part in (self.details, self.logo_card, self.colours, self.emails, self.address):
            column.addWidget(part)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(400)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 680])

        top = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("pageLead")
        self.status.setWordWrap(True)
        top.addWidget(self.status, 1)
        self.customer_button = QPushButton("Preview as a customer…")
        self.customer_button.setToolTip(
            "Saves the draft and opens it in the Preview panel, as one of your customers sees "
            "every page once it is published"
        )
        top.addWidget(self.customer_button)
        self.discard_button = QPushButton("Discard draft")
        self.publish_button = QPushButton("Publish…")
        self.publish_button.setDefault(True)
        top.addWidget(self.discard_button)
        top.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.logo = LogoController(ctx, self.logo_card, self, self)
        self.address_ctl = AddressController(ctx, self.address, self)
        self.conflicts = ConflictController(ctx, self)
        self.previews = PreviewController(
            ctx,
            self.preview,
            self.emails,
            self,
            view_factory or web_view_factory(ctx.session.server_url, lambda: ctx.api.token),
        )
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.previews.refresh)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._on_save_due)
        for row in self.rows.values():
            row.edited.connect(self._on_edited)
            row.edit.setReadOnly(not self.can_edit)
        self.colour_ctl = ColourController(self.colours, self)
        self.publish_button.clicked.connect(self._on_publish)
        self.discard_button.clicked.connect(self._on_discard)
        self.customer_button.clicked.connect(self.previews.on_customer_preview)
        self._apply_permissions()
        # Nothing to edit or publish until the branding has been read from the server.
        self.form_area = scroll
        scroll.setEnabled(False)
        self.publish_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        QTimer.singleShot(0, self.load)

    def _apply_permissions(self) -> None:
        buttons = (
            self.publish_button,
            self.discard_button,
            self.logo_card.upload_button,
            self.logo_card.remove_button,
            self.emails.test_button,
            *(c.swatch for c in self.colours.colours.values()),
            *(c.fix_button for c in self.colours.colours.values()),
        )
        if not self.can_edit:
            for button in buttons:
                button.setEnabled(False)
                button.setToolTip(NEEDS_EDIT)

    # -- loading ------------------------------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """Read the branding and the workspace, and fill the form from the draft."""
        self.loading = self.ctx.ops.run(self._load, label="Loading branding", key="branding-load")
        return self.loading

    async def _load(self) -> None:
        try:
            state = await branding.load(self.ctx.api)
        except ApiError as exc:
            self.status.setText(
                f"The branding could not be loaded. {exc.message} "
                "It loads again when you choose Retry in the message at the top."
            )
            raise
        self.take(state, reset_form=True)
        await asyncio.gather(
            self.logo.show_logo(self.values.get("logo_file_id")), self.address_ctl.load()
        )
        self.previews.refresh()

    def take(self, state: BrandingState, *, reset_form: bool) -> None:
        """Hold a new server state; with ``reset_form`` the form shows it (edits dropped)."""
        self.state = state
        self.saved = state.editing
        self.form_area.setEnabled(True)
        if reset_form:
            self.base = dict(self.saved)
            self.values = dict(self.saved)
            self.last_valid = dict(self.saved)
            for name, row in self.rows.items():
                row.set_text(self.values.get(name))
            self._check()
        self._show_status()

    def _show_status(self) -> None:
        unsaved = self._dirty()
        if self.state.draft is None and not unsaved:
            text = "This is what customers see now. Edit anything to start a draft."
        elif unsaved:
            text = (
                "Draft: saving your edits…"
                if not self.problems
                else ("Draft: fix the fields marked in red; nothing is saved until they are right.")
            )
        else:
            count = len(branding.changes(self.state.published, self.saved))
            text = f"Draft saved: {count} change{'s' if count != 1 else ''} not published yet."
        self.status.setText(text)
        if self.can_edit:
            has_draft = self.state.draft is not None or unsaved
            self.discard_button.setEnabled(has_draft)
            self.publish_button.setEnabled(has_draft and not self.problems)
            self.publish_button.setToolTip(
                "" if not self.problems else "Fix the fields marked in red first."
            )

    def _dirty(self) -> bool:
        return bool(branding.changes(self.saved, self.values))

    # -- editing ------------------------------------------------------------------------------

    def _on_edited(self, name: str) -> None:
        self.values[name] = self.rows[name].text()
        self._check()
        self._preview_timer.start()
        if not self.problems:
            self._save_timer.start()
        self._show_status()

    def _check(self) -> None:
        """Validate as typed: each field shows its own problem, at once."""
        self.problems = branding.field_problems(self.values)
        for name, row in self.rows.items():
            row.set_problem(self.problems.get(name))
        for name, value in self.values.items():
            if name not in self.problems:
                self.last_valid[name] = value
        self.colour_ctl.show_contrast()
        self.logo.refresh_warnings()

    def set_value(self, name: str, value: Any) -> None:
        """Change one field as if typed (colour picker, nearest shade, logo removal)."""
        if name in self.rows:
            self.rows[name].set_text(value)
        self.values[name] = value
        self._on_edited(name) if name in self.rows else self.after_programmatic_edit()

    def after_programmatic_edit(self) -> None:
        """Validate, preview and save a change the form did not type (see ``set_value``)."""
        self._check()
        self._preview_timer.start()
        self._save_timer.start()
        self._show_status()

    def set_logo(self, file_id: int | None) -> None:
        """Use another of the workspace's logos, or none."""
        self.set_value("logo_file_id", file_id)

    # -- saving, publishing, conflicts ---------------------------------------------------------

    def _on_save_due(self) -> None:
        if self.can_edit and not self.problems and self._dirty():
            self.ctx.ops.run(
                self.flush_draft, label="Saving the branding draft", key="branding-save"
            )

    async def flush_draft(self) -> bool:
        """Save the form as the draft when it differs from what the server holds.

        False when someone else changed the branding first (the conflict dialog is open).
        """
        self._save_timer.stop()
        if self.conflicts.pending:
            return False
        if self.problems or not self._dirty():
            return True
        sent = branding.normalised(self.values)
        try:
            state = await branding.save_draft(self.ctx.api, self.state.etag, sent)
        except ApiError as exc:
            if exc.status == 412:
                await self.conflicts.resolve()
                return False
            self.show_field_errors(exc)
            raise
        self.state = state
        self.saved = sent
        self.base = dict(sent)
        self._show_status()
        return True

    def show_field_errors(self, exc: ApiError) -> None:
        """The server's word on each field it refused, under that field."""
        for name, message in exc.errors.items():
            if name in self.rows:
                self.rows[name].set_problem(message)

    def logo_uploaded(self, state: BrandingState) -> None:
        """A logo went into the draft: keep the form's other edits, take the new logo id."""
        self.state = state
        self.saved = state.editing
        self.values["logo_file_id"] = self.saved.get("logo_file_id")
        self.base["logo_file_id"] = self.values["logo_file_id"]
        self.last_valid["logo_file_id"] = self.values["logo_file_id"]
        self._show_status()
        self.previews.refresh()

    def _on_publish(self) -> None:
        if self.problems:
            self.status.setText("Fix the fields marked in red before publishing.")
            return
        rows = branding.changes(self.state.published, branding.normalised(self.values))
        if not rows:
            self.status.setText("The draft is the same as what customers see; nothing to publish.")
            return
        dialog = PublishDialog(rows, self)
        dialog.confirmed.connect(
            lambda: self.ctx.ops.run(self._publish, label="Publishing the branding")
        )
        self.dialog = dialog
        dialog.open()

    async def _publish(self) -> None:
        try:
            if not await self.flush_draft():
                return
            state = await branding.publish(self.ctx.api, self.state.etag)
        except ApiError as exc:
            if exc.status == 412:
                await self.conflicts.resolve()
                return
            raise
        self.take(state, reset_form=True)
        self.status.setText("Published. Customers see the new branding now.")
        self.previews.refresh()

    def stop_saving(self) -> None:
        """Cancel the save that waits for typing to pause (a conflict is being decided)."""
        self._save_timer.stop()

    def _on_discard(self) -> None:
        self.ctx.ops.run(self._discard, label="Discarding the branding draft")

    async def _discard(self) -> None:
        self._save_timer.stop()
        try:
            state = await branding.discard(self.ctx.api, self.state.etag)
        except ApiError as exc:
            if exc.status == 412:
                await self.conflicts.resolve()
                return
            raise
        self.take(state, reset_form=True)
        await self.logo.show_logo(self.values.get("logo_file_id"))
        self.previews.refresh()

    # -- the preview ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """QtWebEngine starts the first time the panel is shown, not when the console starts."""
        super().showEvent(event)
        if self.preview.view is None:
            # Not at once: a panel shown for an instant (the window's stack moving on while
            # panels are cleared at sign-out) must not start QtWebEngine.
            QTimer.singleShot(0, self.previews.start_view)
