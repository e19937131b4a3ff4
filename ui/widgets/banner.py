"""A strip across the top of the window: offline, local server stopped, or an error message."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from ui.resources import icon


class Banner(QFrame):
    """A message with optional action buttons; ``kind`` is info, warning or error."""

    def __init__(self, kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", kind)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.icon_label = QLabel()
        self.icon_label.setFixedSize(20, 20)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        self._actions = QHBoxLayout()
        layout.addLayout(self._actions)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: str | None = None,
        icon_name: str | None = None,
        actions: dict[str, Callable[[], object]] | None = None,
        closable: bool = True,
    ) -> None:
        """Show ``text`` with buttons (label -> callback), replacing what was shown."""
        if kind is not None and kind != self.property("kind"):
            self.setProperty("kind", kind)
            self.style().unpolish(self)
            self.style().polish(self)
        self.text.setText(text)
        if icon_name:
            self.icon_label.setPixmap(icon(icon_name).pixmap(20, 20))
        self.icon_label.setVisible(bool(icon_name))
        while self._actions.count():
            item = self._actions.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        for label, callback in (actions or {}).items():
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, cb=callback: cb())
            self._actions.addWidget(button)
            self.buttons[label] = button
        self.close_button.setVisible(closable)
        self.show()
