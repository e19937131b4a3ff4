"""The page shown before a workspace is open: starting, signing in, or what went wrong."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ui.resources import icon


class StartPage(QWidget):
    """A centred message, a busy indicator and up to two buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        self.title = QLabel("Toolbag Portal")
        self.title.setObjectName("pageTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.message = QLabel()
        self.message.setObjectName("pageLead")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(280)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignCenter)
        self.primary = QPushButton()
        self.secondary = QPushButton()
        for button in (self.primary, self.secondary):
            button.hide()
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        self._callbacks: dict[QPushButton, Callable[[], object]] = {}
        self.primary.clicked.connect(lambda: self._callbacks[self.primary]())
        self.secondary.clicked.connect(lambda: self._callbacks[self.secondary]())

    def show_busy(self, message: str) -> None:
        """Work is under way."""
        self.message.setText(message)
        self.bar.show()
        self.primary.hide()
        self.secondary.hide()

    def show_choice(
        self,
        message: str,
        primary: tuple[str, Callable[[], object]] | None = None,
        secondary: tuple[str, Callable[[], object]] | None = None,
    ) -> None:
        """Nothing is running: say why and offer what to do next."""
        self.message.setText(message)
        self.bar.hide()
        for button, spec in ((self.primary, primary), (self.secondary, secondary)):
            if spec is None:
                button.hide()
                continue
            button.setText(spec[0])
            self._callbacks[button] = spec[1]
            button.show()
