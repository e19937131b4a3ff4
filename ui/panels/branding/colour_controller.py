"""Wires the colour rows: pick a colour, take the nearest passing shade, show the contrast."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from app import colour_contrast
from ui.panels.branding.form import ColoursCard


class ColourController(QObject):
    """The colour rows' handlers; the panel holds the values they show and change."""

    def __init__(self, card: ColoursCard, panel: Any) -> None:
        super().__init__(panel)
        self.card, self.panel = card, panel
        for colour in card.colours.values():
            colour.pick.connect(self._on_pick_colour)
            colour.fix.connect(self._on_fix_colour)

    def show_contrast(self) -> None:
        """Each colour's swatch and contrast check, from its last valid value."""
        for name, colour_row in self.card.colours.items():
            self._show_contrast(name, colour_row)

    def _show_contrast(self, name: str, row: Any) -> None:
        colour = self.panel.last_valid.get(name) or "#000000"
        row.show_swatch(colour)
        if name in self.panel.problems:
            row.contrast.setText("")
            row.fix_button.hide()
            return
        result = colour_contrast.check(colour, links=name == "primary_color")
        row.contrast.setText(result.summary())
        style = "cardText" if result.passes else "formError"
        if row.contrast.objectName() != style:
            row.contrast.setObjectName(style)
            row.contrast.style().polish(row.contrast)
        better = colour_contrast.nearest_passing(colour)
        row.fix_button.setText(f"Use {better} (nearest passing shade)")
        row.fix_button.setVisible(not result.passes and self.panel.can_edit)
        row.fix_button.setProperty("colour", better)

    def _on_pick_colour(self, name: str) -> None:
        panel = self.panel
        dialog = QColorDialog(QColor(panel.last_valid.get(name) or "#1f5f8b"), panel)
        dialog.colorSelected.connect(lambda c: panel.set_value(name, c.name()))
        panel.dialog = dialog
        dialog.open()

    def _on_fix_colour(self, name: str) -> None:
        row = self.card.colours[name]
        self.panel.set_value(name, row.fix_button.property("colour"))
