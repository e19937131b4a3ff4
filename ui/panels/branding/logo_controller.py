"""Wires the logo card: pick a file, check it, rasterise an SVG, upload, show and warn."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

from app import branding, logo_checks
from app.errors import ApiError
from app.logo_checks import LogoFacts, LogoRefused
from app.svg_checks import looks_like_svg
from ui.context import PanelContext
from ui.panels.branding.logo_card import LogoCard
from ui.panels.branding.svg_raster import rasterise


def prepare(data: bytes) -> tuple[bytes, LogoFacts]:
    """The bytes to upload (an SVG drawn as PNG) and their facts; ``LogoRefused`` if unusable.

    Runs off the UI thread: decoding and rasterising a large logo takes longer than a frame.
    """
    if looks_like_svg(data):
        data = rasterise(data)
    return data, logo_checks.inspect(data)


class LogoController(QObject):
    """The logo card's handlers; the panel gives it the draft's save and its new state."""

    def __init__(
        self,
        ctx: PanelContext,
        card: LogoCard,
        panel: Any,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.card, self.panel, self.parent_widget = ctx, card, panel, parent
        self.facts: LogoFacts | None = None
        self.dialog: QFileDialog | None = None
        self.shown_id: int | None = None
        card.upload_requested.connect(self._on_upload)
        card.remove_requested.connect(self._on_remove)

    def _on_upload(self) -> None:
        self.dialog = QFileDialog(self.parent_widget, "Choose a logo")
        self.dialog.setNameFilter("Logos (*.png *.jpg *.jpeg *.webp *.svg)")
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.dialog.fileSelected.connect(self.upload_file)
        self.dialog.open()

    def upload_file(self, path: str) -> asyncio.Task[Any]:
        """Check, prepare and upload the logo at ``path`` into the draft."""
        return self.ctx.ops.run(self.upload(Path(path)), label="Uploading the logo")

    async def upload(self, path: Path) -> None:
        """The whole logo step; problems are shown beside the logo, nothing half-done."""
        self.card.show_problem(None)
        try:
            data = await asyncio.to_thread(path.read_bytes)
            png, facts = await asyncio.to_thread(prepare, data)
        except LogoRefused as exc:
            self.card.show_problem(str(exc))
            return
        except OSError as exc:
            self.card.show_problem(f"The file could not be read: {exc.strerror or exc}.")
            return
        await self.upload_prepared(png, facts)

    async def upload_prepared(self, png: bytes, facts: LogoFacts) -> None:
        """Upload checked bytes and show them (the panel saves pending edits first)."""
        try:
            if not await self.panel.flush_draft():
                return
            state = await branding.upload_logo(
                self.ctx.api, self.panel.state.etag, png, facts.content_type
            )
        except ApiError as exc:
            if exc.status == 412:
                await self.panel.conflicts.resolve()
                return
            if exc.status is not None and 400 <= exc.status < 500:
                self.card.show_problem(exc.message)
                return
            raise
        self.facts = facts
        self.panel.logo_uploaded(state)
        self.show_pixmap(png)

    def _on_remove(self) -> None:
        self.facts = None
        self.shown_id = None
        self.card.show_logo(None)
        self.card.show_warnings([])
        self.panel.set_logo(None)

    async def show_logo(self, file_id: int | None) -> None:
        """Fetch and show the draft's or published logo (after loading the branding)."""
        if file_id is None:
            self.shown_id = None
            self.facts = None
            self.card.show_logo(None)
            self.card.show_warnings([])
            return
        if file_id == self.shown_id:
            return
        data = await branding.logo_bytes(self.ctx.api, file_id)
        self.facts = await asyncio.to_thread(logo_checks.inspect, data)
        self.shown_id = file_id
        self.show_pixmap(data)

    def show_pixmap(self, data: bytes) -> None:
        """Show logo bytes on the three plates and refresh the warnings."""
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.card.show_logo(pixmap)
        self.refresh_warnings()

    def refresh_warnings(self) -> None:
        """Warnings for the current logo on the current main colour."""
        self.card.show_warnings(logo_checks.warnings(self.facts) if self.facts else [])
