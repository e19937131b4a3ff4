"""The portal address card (layout only): the sign-in link, copy, open, QR code, change."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.panels.branding.fields import FieldRow, card


class AddressCard(QWidget):
    """Where customers sign in, with the tools to pass the address on."""

    copy_requested = Signal()
    open_requested = Signal()
    qr_requested = Signal()
    change_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(
            "Portal address", "Customers sign in here. Print it on invoices or your vans."
        )
        self.url = QLabel()
        self.url.setObjectName("cardTitle")
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url.setWordWrap(True)
        layout.addWidget(self.url)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy_requested)
        self.open_button = QPushButton("Open in browser")
        self.open_button.clicked.connect(self.open_requested)
        self.qr_button = QPushButton("Save QR code…")
        self.qr_button.setToolTip("Save the address as a QR code, PNG or SVG")
        self.qr_button.clicked.connect(self.qr_requested)
        for button in (self.copy_button, self.open_button, self.qr_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        change = QHBoxLayout()
        self.slug = FieldRow(
            "slug",
            placeholder="evergreen-plumbing",
            hint="Changing it changes printed links; the old address keeps redirecting.",
        )
        change.addWidget(QLabel("/p/"), 0, Qt.AlignmentFlag.AlignTop)
        change.addWidget(self.slug, 1)
        self.change_button = QPushButton("Change address…")
        self.change_button.clicked.connect(lambda: self.change_requested.emit(self.slug.text()))
        change.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(change)
        self.former = QLabel()
        self.former.setObjectName("fieldHint")
        self.former.setWordWrap(True)
        layout.addWidget(self.former)
        self.status = QLabel()
        self.status.setObjectName("cardText")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

    def show_address(self, url: str, slug: str, former: list[str]) -> None:
        """The current address and the old ones that still redirect."""
        self.url.setText(url)
        self.slug.set_text(slug)
        self.former.setText(
            "Still redirecting here: " + ", ".join(f"/p/{s}/" for s in former) if former else ""
        )
        self.former.setVisible(bool(former))
