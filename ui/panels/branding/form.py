"""The Branding panel's form cards (layout only): business details, colours and emails."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from server.wire.branding import PLACEHOLDERS
from ui.panels.branding.fields import FieldRow, card

EMAIL_TITLES = {"invite": "Invite", "reset": "Password reset", "receipt": "Receipt"}


class DetailsCard(QWidget):
    """Brand name and the contact details customers see on every page and email."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(
            "Business details",
            "Shown in the portal's header and footer and at the bottom of every email.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.rows = {
            "brand_name": FieldRow("brand_name", placeholder="Evergreen Plumbing"),
            "phone": FieldRow("phone", placeholder="(503) 555-0100"),
            "email": FieldRow("email", placeholder="office@example.com"),
            "address": FieldRow("address", placeholder="12 Main St, Portland, OR 97201"),
            "hours": FieldRow("hours", placeholder="Mon-Fri 7am-5pm"),
            "website": FieldRow("website", placeholder="https://example.com"),
        }
        labels = {
            "brand_name": "Brand name",
            "phone": "Phone",
            "email": "Email",
            "address": "Address",
            "hours": "Opening hours",
            "website": "Website",
        }
        for key, row in self.rows.items():
            form.addRow(labels[key], row)
        layout.addLayout(form)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)


class ColourRow(QWidget):
    """One brand colour: the hex value, a swatch to pick, the contrast and a one-click fix."""

    pick = Signal(str)
    fix = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        self.swatch = QPushButton()
        self.swatch.setFixedSize(32, 28)
        self.swatch.setToolTip("Pick a colour")
        self.swatch.setAccessibleName(f"Pick the {name.replace('_', ' ')}")
        self.swatch.clicked.connect(lambda: self.pick.emit(self.name))
        line.addWidget(self.swatch)
        self.field = FieldRow(name, placeholder="#1F5F8B")
        line.addWidget(self.field, 1)
        layout.addLayout(line)
        self.contrast = QLabel()
        self.contrast.setObjectName("cardText")
        self.contrast.setWordWrap(True)
        layout.addWidget(self.contrast)
        self.fix_button = QPushButton()
        self.fix_button.clicked.connect(lambda: self.fix.emit(self.name))
        self.fix_button.hide()
        layout.addWidget(self.fix_button)

    def show_swatch(self, colour: str) -> None:
        """Fill the swatch with the colour typed (when it is a colour)."""
        self.swatch.setStyleSheet(
            f"background: {colour}; border: 1px solid #8a96a3; border-radius: 4px;"
        )


class ColoursCard(QWidget):
    """Main and accent colours with their WCAG AA contrast checks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(
            "Colours",
            "The main colour fills the header and buttons; the accent marks focus and the line "
            "under email headers. Text on them must reach WCAG 2.1 AA contrast (4.5:1).",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.colours = {
            "primary_color": ColourRow("primary_color"),
            "accent_color": ColourRow("accent_color"),
        }
        form.addRow("Main colour", self.colours["primary_color"])
        form.addRow("Accent colour", self.colours["accent_color"])
        layout.addLayout(form)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)


class EmailsCard(QWidget):
    """Subject and wording of the invite, reset and receipt emails, and a test send."""

    kind_changed = Signal(str)
    test_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(
            "Emails",
            "Your words open each email; the button, the link and how long it works are added "
            "by the portal. The preview shows the email exactly as it is sent.",
        )
        self.tabs = QTabWidget()
        self.rows: dict[str, FieldRow] = {}
        for kind, title in EMAIL_TITLES.items():
            page = QWidget()
            form = QFormLayout(page)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            names = ", ".join("{" + n + "}" for n in sorted(PLACEHOLDERS[kind]))
            subject = FieldRow(f"{kind}_subject")
            message = FieldRow(f"{kind}_message", multiline=True, hint=f"Placeholders: {names}")
            form.addRow("Subject", subject)
            form.addRow("Wording", message)
            self.rows[subject.name] = subject
            self.rows[message.name] = message
            self.tabs.addTab(page, title)
        self.tabs.currentChanged.connect(lambda i: self.kind_changed.emit(self.kind()))
        layout.addWidget(self.tabs)
        actions = QHBoxLayout()
        self.test_button = QPushButton("Send me a test email")
        self.test_button.clicked.connect(lambda: self.test_requested.emit(self.kind()))
        actions.addWidget(self.test_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.status = QLabel()
        self.status.setObjectName("cardText")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

    def kind(self) -> str:
        """The email shown now: invite, reset or receipt."""
        return list(EMAIL_TITLES)[self.tabs.currentIndex()]
