"""About the console: versions, and where its settings, data and logs are."""

from __future__ import annotations

import platform
from html import escape

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import log_files, paths
from app.version import console_version


class AboutDialog(QDialog):
    """Versions of the console, Python, Qt and the connected server, and the console's folders."""

    def __init__(self, server_url: str, server_version: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Toolbag Portal console")
        layout = QVBoxLayout(self)
        rows = [
            ("Console", console_version()),
            ("Server", f"{server_url or 'not connected'} ({server_version or 'version unknown'})"),
            ("Python", platform.python_version()),
            ("Qt / PySide6", f"{qVersion()} / {PySide6.__version__}"),
            ("Log file", str(log_files.log_file())),
            ("Settings", str(paths.config_dir())),
            ("Local workspace data", str(paths.local_server_dir())),
            ("Cache", str(paths.cache_dir())),
        ]
        table = "".join(
            f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows
        )
        self.text = QLabel(
            "<h3>Toolbag Portal: office console</h3>"
            "<p>Run the customer portal of your business: access, what customers see, "
            f"branding.</p><table>{table}</table>"
        )
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
