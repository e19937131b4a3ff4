"""The logo card (layout only): the logo on light, dark and the main colour, and warnings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.logo_checks import SHOWN_HEIGHT, SHOWN_WIDTH
from ui.panels.branding.fields import card

# The portal and its emails set the logo on a white plate in the header; dark shows how a
# logo drawn for white paper holds up elsewhere (dark mode mail, the owner's other uses).
PLATES = (
    ("light", "#ffffff", "On white, as in the portal and emails"),
    ("dark", "#1f2933", "On dark"),
)


class LogoCard(QWidget):
    """Upload or remove the logo; see it where customers will, with what to watch out for."""

    upload_requested = Signal()
    remove_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card(
            "Logo",
            "PNG, JPEG, WebP or SVG. SVG logos are turned into a sharp PNG here before upload. "
            "The portal's browser-tab icon is made from it.",
        )
        plates = QHBoxLayout()
        self.plates: dict[str, QLabel] = {}
        for key, background, caption in PLATES:
            column = QVBoxLayout()
            plate = QLabel("No logo")
            plate.setObjectName("logoPlate")
            plate.setAlignment(Qt.AlignmentFlag.AlignCenter)
            plate.setMinimumSize(SHOWN_WIDTH + 24, SHOWN_HEIGHT + 20)
            plate.setAccessibleName(f"Logo {caption.lower()}")
            self.plates[key] = plate
            self.set_plate_colour(key, background)
            column.addWidget(plate)
            text = QLabel(caption)
            text.setObjectName("fieldHint")
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(text)
            plates.addLayout(column)
        layout.addLayout(plates)
        buttons = QHBoxLayout()
        self.upload_button = QPushButton("Upload logo…")
        self.upload_button.clicked.connect(self.upload_requested)
        buttons.addWidget(self.upload_button)
        self.remove_button = QPushButton("Remove logo")
        self.remove_button.clicked.connect(self.remove_requested)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.problem = QLabel()
        self.problem.setObjectName("formError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.warnings = QLabel()
        self.warnings.setObjectName("warning")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        layout.addWidget(self.warnings)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

    def set_plate_colour(self, key: str, colour: str) -> None:
        """The background a plate shows the logo on."""
        self.plates[key].setStyleSheet(
            f"background: {colour}; color: #8a96a3; border: 1px solid #d8dde4; "
            "border-radius: 6px; padding: 8px;"
        )

    def show_logo(self, pixmap: QPixmap | None) -> None:
        """The logo at the height the portal shows it, or "No logo"."""
        for plate in self.plates.values():
            if pixmap is None or pixmap.isNull():
                plate.setPixmap(QPixmap())
                plate.setText("No logo")
            else:
                ratio = plate.devicePixelRatioF()
                scaled = pixmap.scaledToHeight(
                    int(SHOWN_HEIGHT * ratio), Qt.TransformationMode.SmoothTransformation
                )
                if scaled.width() > SHOWN_WIDTH * ratio:
                    scaled = pixmap.scaledToWidth(
                        int(SHOWN_WIDTH * ratio), Qt.TransformationMode.SmoothTransformation
                    )
                scaled.setDevicePixelRatio(ratio)
                plate.setPixmap(scaled)
        self.remove_button.setEnabled(pixmap is not None and not pixmap.isNull())

    def show_problem(self, problem: str | None) -> None:
        """Why the last file was refused, beside the logo."""
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))

    def show_warnings(self, warnings: list[str]) -> None:
        """How the logo may look wrong (it is still used)."""
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
