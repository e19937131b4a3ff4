"""Open the customer portal in the browser, and say so when no browser starts."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class PortalAddressDialog(QDialog):
    """No browser started: the portal's address to copy, and a way to try again."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open the customer portal")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(
            "No web browser started on this computer. Copy the portal's address and open it in "
            "a browser yourself, or set a default browser and try again."
        )
        text.setObjectName("formError")
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.address = QLineEdit(url)
        self.address.setObjectName("portalAddress")
        self.address.setReadOnly(True)
        row.addWidget(self.address, 1)
        self.copy = QPushButton("Copy address")
        self.copy.clicked.connect(self._copy)
        row.addWidget(self.copy)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.retry = buttons.addButton("Try again", QDialogButtonBox.ButtonRole.ActionRole)
        self.retry.clicked.connect(self._retry)
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text())
        self.copy.setText("Copied")

    def _retry(self) -> None:
        if QDesktopServices.openUrl(QUrl(self.address.text())):
            self.accept()


def open_portal(url: str, window: QMainWindow) -> PortalAddressDialog | None:
    """Ask the desktop to open ``url``; the status bar says it did, a dialog says it did not.

    Answers the dialog (keep a reference to it) when no browser started.
    """
    if QDesktopServices.openUrl(QUrl(url)):
        window.statusBar().showMessage(f"Opening {url} in your web browser…", 10_000)
        return None
    dialog = PortalAddressDialog(url, window)
    dialog.open()
    return dialog
