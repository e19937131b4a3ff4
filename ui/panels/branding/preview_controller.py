"""Wires the preview beside the form: the server's rendering of the draft for the tab shown,
test emails, the draft opened in the Preview panel, and QtWebEngine started when first shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QUrl

from app import branding
from app.errors import ApiError
from ui.context import PanelContext
from ui.panels.branding.form import EmailsCard
from ui.panels.branding.preview import PAGES, PreviewArea
from ui.panels.navigate import open_panel


class PreviewController(QObject):
    """The preview's and the test emails' handlers; the panel holds the draft they show."""

    def __init__(
        self,
        ctx: PanelContext,
        preview: PreviewArea,
        emails: EmailsCard,
        panel: Any,
        view_factory: Callable[[], Any],
    ) -> None:
        super().__init__(panel)
        self.ctx, self.preview, self.emails, self.panel = ctx, preview, emails, panel
        self._view_factory = view_factory
        emails.kind_changed.connect(lambda kind: preview.select(kind))
        emails.test_requested.connect(self._on_test_email)
        preview.tab_changed.connect(lambda _key: self.refresh())
        preview.plain_changed.connect(lambda _on: self.refresh())

    def on_customer_preview(self) -> None:
        """Open the draft in the Preview panel, as a customer sees it."""
        self.ctx.ops.run(self._customer_preview, label="Opening the draft in Preview")

    async def _customer_preview(self) -> None:
        """The signed-in pages with this draft, through the Preview panel (one renderer)."""
        panel = self.panel
        if panel.can_edit and not await panel.flush_draft():
            return
        page = open_panel(panel, "preview")
        if page is None:
            panel.status.setText(
                "The Preview panel is not available to your role; the pages beside the form "
                "show the draft."
            )
            return
        page.controls.draft_branding.setChecked(True)
        if getattr(page, "contact", None) is not None:
            page.reload()

    def _preview_values(self) -> dict[str, Any]:
        """The form as typed, with fields that have a problem shown as they last were right."""
        panel = self.panel
        values = {**panel.values, **{k: panel.last_valid.get(k) for k in panel.problems}}
        return branding.normalised(values)

    def refresh(self) -> asyncio.Task[Any] | None:
        """Fetch the server's rendering of the draft for the tab shown (newest wins)."""
        if self.preview.view is None or not self.panel.values:
            return None
        return self.ctx.ops.run(
            self._refresh_preview, label="Updating the preview", key="branding-preview"
        )

    async def _refresh_preview(self) -> None:
        try:
            await self._render_preview()
        except ApiError as exc:
            if "logo_file_id" in exc.errors or "branding.logo_file_id" in exc.errors:
                # The logo changed while this preview was on its way; a newer one follows.
                return
            raise

    async def _render_preview(self) -> None:
        key = self.preview.key()
        values = self._preview_values()
        base = QUrl(f"{self.ctx.session.server_url}/p/{self.panel.address_ctl.slug}/")
        if key in PAGES:
            html = await branding.preview_page(self.ctx.api, values, key)
            self.panel.last_preview = (key, html)
            self.preview.show_html(html, base)
            return
        email = await branding.preview_email(self.ctx.api, key, values)
        if self.preview.plain.isChecked():
            self.panel.last_preview = (key, email["text"])
            self.preview.show_text(email["text"], email["subject"])
        else:
            self.panel.last_preview = (key, email["html"])
            self.preview.show_html(email["html"], base, email["subject"])

    def _on_test_email(self, kind: str) -> None:
        if self.panel.problems:
            self.emails.status.setText("Fix the fields marked in red first.")
            return
        self.emails.status.setText("Sending…")
        self.ctx.ops.run(self._send_test(kind), label="Sending a test email")

    async def _send_test(self, kind: str) -> None:
        try:
            sent = await branding.send_test_email(self.ctx.api, kind, self._preview_values())
        except ApiError as exc:
            self.panel.show_field_errors(exc)
            self.emails.status.setText(exc.message)
            return
        self.emails.status.setText(
            f"Sent “{sent['subject']}” to {sent['to']}. It goes out through the portal's "
            "outbox like customer mail, usually within a minute."
        )

    def start_view(self) -> None:
        """Attach the web view, if the panel is still on screen, and fill it."""
        if self.preview.view is None and self.panel.isVisible():
            self.preview.attach_view(self._view_factory())
            self.refresh()
