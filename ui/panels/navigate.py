"""Moving between the "What customers see" panels: from an exposure check to a preview, from
the preview's inspector to a switch or a file, and the file queue's count in the sidebar.

Panels reach each other only through the main window's own ``panel`` (which builds a panel
on first use) and ``select_panel`` (found as the panel's top-level window), in this one module.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

VISIBILITY, PREVIEW, FILES, ACCESS = "visibility", "preview", "files", "access"


def open_panel(widget: QWidget, key: str) -> Any | None:
    """Show the panel ``key`` and answer it (None when this role has no such panel)."""
    window: Any = widget.window()
    # Panels are built when first opened: ask the window for it (it builds it if it may).
    build = getattr(window, "panel", None)
    page = build(key) if callable(build) else getattr(window, "panels", {}).get(key)
    if page is None:
        return None
    window.select_panel(key)
    return page


def set_sidebar_count(widget: QWidget, key: str, title: str, count: int | None) -> None:
    """Show ``title (count)`` on the panel's sidebar entry (just ``title`` for none)."""
    sidebar = getattr(widget.window(), "sidebar", None)
    if sidebar is None:
        return
    for i in range(sidebar.count()):
        item = sidebar.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == key:
            item.setText(f"{title} ({count:,})" if count else title)
            item.setToolTip(f"{count:,} files wait for a review" if count else "")
