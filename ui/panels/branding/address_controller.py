"""Wires the portal address card: copy, open, QR code, and moving to a new address."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from app import portal_qr, workspace_settings
from app.errors import ApiError
from server.wire.permissions import Permission
from server.wire.settings import slug_problem
from ui.context import PanelContext
from ui.panels.branding.address_card import AddressCard
from ui.panels.branding.dialogs import SlugDialog

NEEDS_WORKSPACE = "Changing the portal address needs the “edit workspace” permission."


class AddressController(QObject):
    """The address card's handlers; keeps the workspace's ETag for a change of address."""

    def __init__(self, ctx: PanelContext, card: AddressCard, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.card, self.parent_widget = ctx, card, parent
        self.slug = ctx.session.workspace_slug
        self.url = ctx.session.portal_url
        self.etag = ""
        self.dialog: Any = None
        self.card.show_address(self.url, self.slug, [])
        card.copy_requested.connect(self._on_copy)
        card.open_requested.connect(self._on_open)
        card.qr_requested.connect(self._on_qr)
        card.change_requested.connect(self._on_change)
        card.slug.edited.connect(self._on_slug_typed)
        if not ctx.session.can(Permission.EDIT_WORKSPACE):
            card.change_button.setEnabled(False)
            card.change_button.setToolTip(NEEDS_WORKSPACE)
            card.slug.edit.setReadOnly(True)

    async def load(self) -> None:
        """Read the workspace: the current address and the old ones still redirecting."""
        data, self.etag = await workspace_settings.load(self.ctx.api)
        self._show(data)

    def _show(self, data: dict[str, Any]) -> None:
        self.slug, self.url = data["slug"], data["portal_url"]
        self.card.show_address(self.url, self.slug, list(data.get("former_slugs") or []))

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.url)
        self.card.status.setText("Copied the portal address.")

    def _on_open(self) -> None:
        QDesktopServices.openUrl(QUrl(self.url))

    def _on_qr(self) -> None:
        dialog = QFileDialog(self.parent_widget, "Save the QR code")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["PNG image (*.png)", "SVG image, for print (*.svg)"])
        dialog.setDefaultSuffix("png")
        dialog.selectFile(f"portal-{self.slug}-qr.png")
        dialog.fileSelected.connect(self.save_qr)
        self.dialog = dialog
        dialog.open()

    def save_qr(self, path: str) -> asyncio.Task[Any]:
        """Write the QR code of the portal address to ``path`` (PNG or SVG by its suffix)."""
        return self.ctx.ops.run(self._save_qr(Path(path)), label="Saving the QR code")

    async def _save_qr(self, path: Path) -> None:
        try:
            saved = await asyncio.to_thread(portal_qr.save_qr, self.url, path)
        except OSError as exc:
            self.card.status.setText(f"The QR code could not be saved: {exc.strerror or exc}.")
            return
        self.card.status.setText(f"Saved the QR code of {self.url} to {saved}.")

    def _on_slug_typed(self, _name: str) -> None:
        slug = self.card.slug.text().lower()
        self.card.slug.set_problem(slug_problem(slug) if slug != self.slug else None)

    def _on_change(self, slug: str) -> None:
        slug = slug.lower()
        if slug == self.slug:
            self.card.slug.set_problem("That is the address already; type a new one.")
            return
        problem = slug_problem(slug)
        if problem:
            self.card.slug.set_problem(problem)
            return
        new_url = self.url.replace(f"/p/{self.slug}/", f"/p/{slug}/")
        dialog = SlugDialog(self.url, new_url, slug, self.parent_widget)
        dialog.confirmed.connect(self.change)
        self.dialog = dialog
        dialog.open()

    def change(self, slug: str) -> asyncio.Task[Any]:
        """Move the portal to ``slug`` (the old address keeps redirecting)."""
        return self.ctx.ops.run(self._change(slug), label="Changing the portal address")

    async def _change(self, slug: str) -> None:
        try:
            data, self.etag = await workspace_settings.update(
                self.ctx.api, self.etag, {"slug": slug}
            )
        except ApiError as exc:
            if exc.status == 412:
                await self.load()
                self.card.slug.set_problem(
                    "Someone changed the workspace settings meanwhile; the address shown is "
                    "the current one. Try again."
                )
                return
            if exc.status in (409, 422):
                self.card.slug.set_problem((exc.errors.get("slug") and exc.message) or exc.message)
                return
            raise
        self._show(data)
        self.card.slug.set_problem(None)
        self.card.status.setText(
            f"Customers now sign in at {self.url}. Save a new QR code for print."
        )
