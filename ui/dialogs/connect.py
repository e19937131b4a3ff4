"""Connect to a portal server: URL, email and password (the password is never stored)."""

from __future__ import annotations

import asyncio

import httpx
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api_client import ApiClient
from app.credentials import sign_in_note
from app.errors import ApiError
from ui.operations import Operations

SignedIn = tuple[str, str, str]  # server url, email, token


class ConnectDialog(QDialog):
    """Asks for the server and a staff sign-in; ``submitted(url, email, password)`` on OK.

    The dialog stays open while the sign-in runs; the caller shows errors with
    ``show_error`` and closes it with ``accept`` on success. ``use_local`` asks to go back to
    the embedded local workspace.
    """

    submitted = Signal(str, str, str)
    use_local = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        server_url: str = "",
        email: str = "",
        reason: str = "",
        allow_local: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self.setModal(True)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        intro = QLabel(reason or sign_in_note())
        intro.setObjectName("signInNote")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit(server_url)
        self.url.setPlaceholderText("https://portal.example.com")
        self.email = QLineEdit(email)
        self.email.setPlaceholderText("you@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Server address", self.url)
        form.addRow("Email", self.email)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Sign in")
        self.local_button = QPushButton("Use the local workspace")
        self.local_button.setToolTip("Work on the demo workspace on this computer instead.")
        self.local_button.setVisible(allow_local)
        self.local_button.clicked.connect(self._on_use_local)
        self.buttons.addButton(self.local_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if server_url and email else self.url).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def _on_submit(self) -> None:
        url = self.url.text().strip().rstrip("/")
        email = self.email.text().strip()
        password = self.password.text()
        if not url.startswith(("http://", "https://")):
            self.show_error("Enter the server address, starting with https:// (or http://).")
            return
        if "@" not in email:
            self.show_error("Enter the email address you sign in with.")
            return
        if not password:
            self.show_error("Enter your password.")
            return
        self.error.hide()
        self.submitted.emit(url, email, password)

    def _on_use_local(self) -> None:
        self.use_local.emit()
        self.reject()

    def set_busy(self, busy: bool) -> None:
        """Disable the form while signing in."""
        for widget in (self.url, self.email, self.password, self.ok_button, self.local_button):
            widget.setEnabled(not busy)
        self.ok_button.setText("Signing in…" if busy else "Sign in")

    def show_error(self, message: str) -> None:
        """Show a plain-English problem under the form; the password is cleared."""
        self.error.setText(message)
        self.error.show()
        self.password.clear()
        self.password.setFocus()


async def ask_sign_in(
    dialog: ConnectDialog, http: httpx.AsyncClient, ops: Operations
) -> SignedIn | None:
    """Open ``dialog`` and sign in with what is entered until it works; None when cancelled.

    The dialog is opened with ``open()`` and awaited through a future: a nested ``exec()``
    loop inside a coroutine would stall the console.
    """
    done: asyncio.Future[SignedIn | None] = asyncio.get_running_loop().create_future()

    async def attempt(url: str, email: str, password: str) -> None:
        dialog.set_busy(True)
        try:
            token = await ApiClient(url, http).sign_in(email, password)
        except ApiError as exc:
            dialog.set_busy(False)
            dialog.show_error(exc.message)
            return
        dialog.set_busy(False)
        if not done.done():
            done.set_result((url, email, token))
        dialog.accept()

    dialog.submitted.connect(
        lambda u, m, p: ops.run(attempt(u, m, p), label="Signing in", key="sign-in")
    )

    def cancelled() -> None:
        if not done.done():
            done.set_result(None)

    dialog.rejected.connect(cancelled)
    dialog.open()
    return await done
