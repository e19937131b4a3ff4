"""The main window's sidebar: one item per panel, keyed by the panel's key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ui.resources import icon


class PanelSidebar(QListWidget):
    """A list of panels; a disabled item's tooltip says why it cannot be opened."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFixedWidth(220)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def add_panel(self, key: str, title: str, icon_name: str, disabled_why: str = "") -> None:
        """Add the item for panel ``key``; with ``disabled_why`` it is disabled and says why."""
        item = QListWidgetItem(icon(icon_name), title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        if disabled_why:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(disabled_why)
        self.addItem(item)

    def clear_quietly(self) -> None:
        """Remove every item without telling anyone the current item changed."""
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)

    def is_enabled(self, key: str | None) -> bool:
        """Whether the item of panel ``key`` is there and enabled."""
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        return False

    def first_enabled_key(self) -> str | None:
        """The key of the first item that can be opened, or None."""
        for i in range(self.count()):
            item = self.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                return str(item.data(Qt.ItemDataRole.UserRole))
        return None

    def tooltip_of(self, key: str) -> str:
        """The tooltip of panel ``key``'s item ("" when it has none or is not listed)."""
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return item.toolTip()
        return ""

    def mark_current(self, key: str | None) -> None:
        """Make panel ``key``'s item the current one without announcing it."""
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.blockSignals(True)
                self.setCurrentRow(i)
                self.blockSignals(False)

    def current_key(self) -> str | None:
        """The key of the current item, or None."""
        item = self.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
