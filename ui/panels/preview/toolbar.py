"""The Preview panel's controls and empty state. Layout only; no QtWebEngine here, so the
panel can be built without starting it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

WIDTHS = {390: "Phone 390", 768: "Tablet 768", 1280: "Desktop 1280"}
MODES = {"published": "Published", "draft": "Draft", "side": "Side by side"}


def _tool(text: str, tip: str, checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setCheckable(checkable)
    button.setObjectName("widthButton")
    return button


class PreviewControls(QWidget):
    """Whom to preview as, what to show (published, draft or both), the device width,
    navigation, Open in browser, and the inspector switch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        who = QHBoxLayout()
        who.addWidget(QLabel("Preview as"))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search customers by name, email, phone or address")
        self.search.setClearButtonEnabled(True)
        who.addWidget(self.search, 2)
        self.search.setMinimumWidth(120)
        self.customers = QComboBox()
        self.customers.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.customers.setMinimumContentsLength(12)
        self.customers.setAccessibleName("Customer")
        who.addWidget(self.customers, 2)
        self.contacts = QComboBox()
        self.contacts.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.contacts.setMinimumContentsLength(12)
        self.contacts.setAccessibleName("Contact")
        who.addWidget(self.contacts, 2)
        layout.addLayout(who)
        self.who_note = QLabel()
        self.who_note.setObjectName("switchHelp")
        self.who_note.hide()

        show = QHBoxLayout()
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QToolButton] = {}
        for key, text in MODES.items():
            b = _tool(text, f"Show the {text.lower()} version", checkable=True)
            self.modes.addButton(b)
            self.mode_buttons[key] = b
            show.addWidget(b)
        self.mode_buttons["side"].setToolTip(
            "Published and draft side by side, with what the draft changes outlined"
        )
        self.draft_visibility = QCheckBox("Visibility draft")
        self.draft_branding = QCheckBox("Branding draft")
        self.draft_visibility.setChecked(True)
        self.draft_branding.setChecked(True)
        show.addWidget(self.draft_visibility)
        show.addWidget(self.draft_branding)
        show.addStretch(1)
        layout.addLayout(show)

        size = QHBoxLayout()
        self.widths = QButtonGroup(self)
        self.width_buttons: dict[int, QToolButton] = {}
        for i, (px, text) in enumerate(WIDTHS.items(), start=1):
            b = _tool(text, f"{px} CSS pixels wide, as on a {text.split()[0].lower()} (Ctrl+{i})")
            b.setCheckable(True)
            self.widths.addButton(b)
            self.width_buttons[px] = b
            size.addWidget(b)
        size.addSpacing(12)
        nav = size
        self.back = _tool("◀ Back", "Back (Alt+Left)")
        self.forward = _tool("Forward ▶", "Forward (Alt+Right)")
        self.reload = _tool("Reload", "Load the page again with a fresh preview (Ctrl+R)")
        self.open_browser = QPushButton("Open in browser")
        self.open_browser.setToolTip("Open this page in your browser with a fresh preview link")
        self.inspect = QPushButton("Why is this visible?")
        self.inspect.setCheckable(True)
        self.inspect.setToolTip(
            "Then click anything in the preview to see why it is shown (Ctrl+I)"
        )
        self.coming_soon = QCheckBox("Show the coming-soon page customers get today")
        self.coming_soon.hide()
        for w in (self.back, self.forward, self.reload):
            nav.addWidget(w)
        nav.addStretch(1)
        layout.addLayout(nav)
        tools = QHBoxLayout()
        tools.addWidget(self.open_browser)
        tools.addWidget(self.inspect)
        tools.addWidget(self.coming_soon)
        tools.addStretch(1)
        self.where = QLabel()
        self.where.setObjectName("switchHelp")
        tools.addWidget(self.where)
        layout.addLayout(tools)

        self.message = QLabel()
        self.message.setObjectName("panelNote")
        self.message.setWordWrap(True)
        self.message.hide()
        msg_row = QHBoxLayout()
        msg_row.addWidget(self.who_note)
        msg_row.addWidget(self.message, 1)
        self.try_again = QPushButton("Try again")
        self.try_again.hide()
        msg_row.addWidget(self.try_again)
        # The row keeps its height when its messages come and go: otherwise the preview
        # below would be resized (and laid out and painted again) with every message.
        for widget in (self.message, self.try_again):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        layout.addLayout(msg_row)

    def show_who(self, note: str) -> None:
        """Say whom the preview stands for when the contact cannot sign in today."""
        self.who_note.setText(note)
        self.who_note.setVisible(bool(note))


class EmptyPreview(QLabel):
    """What shows before a contact is chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageLead")
        self.setWordWrap(True)
        self.setText(
            "<p><b>See the portal exactly as one contact sees it.</b></p>"
            "<p>Search for a customer above and pick a contact: the preview is the very page "
            "the server sends them, at a phone, tablet or desktop width. Contacts who are not "
            "invited yet can be previewed too. Nothing you do here changes anything for the "
            "customer.</p>"
        )
        self.setMargin(24)
