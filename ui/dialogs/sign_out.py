"""Signing out of a server: and whether to remove that workspace's data from this computer."""

from __future__ import annotations

import asyncio
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)


class SignOutDialog(QDialog):
    """Sign out, with a choice to remove the saved copy of the workspace's customers."""

    def __init__(
        self, workspace: str, server: str, *, remove_default: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign out")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Sign out of <b>{escape(workspace)}</b> on {escape(server)}?<br><br>"
            "This computer keeps a copy of the workspace's customers (names, emails, phones "
            "and addresses) so the console opens fast and works offline. Only your user "
            "account on this computer can read it."
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        self.remove = QCheckBox("Remove this workspace's data from this computer")
        self.remove.setChecked(remove_default)
        self.remove.setToolTip(
            "Signing in again downloads it afresh. Leave it if you sign in here again soon."
        )
        layout.addWidget(self.remove)
        buttons = QDialogButtonBox()
        self.sign_out_button = buttons.addButton("Sign out", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


async def ask_sign_out(dialog: SignOutDialog) -> bool | None:
    """Open ``dialog`` and wait: None when cancelled, else whether to remove the data.

    Opened with ``open()`` and awaited through a future (never ``exec()`` in a coroutine).
    """
    done: asyncio.Future[bool | None] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            accepted = result == QDialog.DialogCode.Accepted
            done.set_result(dialog.remove.isChecked() if accepted else None)

    dialog.finished.connect(finished)
    dialog.open()
    return await done
