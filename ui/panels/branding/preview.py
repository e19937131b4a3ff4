"""The live preview beside the Branding form: the server's own rendering of the draft.

Portal pages and HTML emails show in a QWebEngineView, created the first time the panel is
shown (QtWebEngine starts only then); plain-text emails in a text box. Once the Preview
panel exists this is where the Branding panel would hand over to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

# Preview tab -> (what it shows, its title). Pages are portal pages; the rest are emails.
TABS: tuple[tuple[str, str], ...] = (
    ("sign_in", "Sign-in page"),
    ("coming_soon", "Contact page"),
    ("invite", "Invite email"),
    ("reset", "Reset email"),
    ("receipt", "Receipt email"),
)
PAGES = ("sign_in", "coming_soon")


class HtmlView(QWidget):
    """Anything that can show an HTML document loaded against a base address."""

    loaded = Signal()

    def show_html(self, html: str, base: QUrl) -> None:  # pragma: no cover - interface
        """Show a document."""
        raise NotImplementedError


def web_view_factory(server_url: str, token: Callable[[], str | None]) -> Callable[[], Any]:
    """Build the QtWebEngine view (imported here so QtWebEngine starts only when needed)."""

    def build() -> HtmlView:
        from ui.panels.branding.web_preview import WebPreview

        return WebPreview(server_url, token)

    return build


class PreviewArea(QWidget):
    """Tabs for each page and email, the view, and a switch for an email's plain text."""

    tab_changed = Signal(str)
    plain_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        for _key, title in TABS:
            self.tabs.addTab(title)
        self.tabs.currentChanged.connect(lambda i: self.tab_changed.emit(TABS[i][0]))
        top.addWidget(self.tabs, 1)
        self.plain = QCheckBox("Plain text")
        self.plain.setToolTip("Show the plain-text part mail programs show when HTML is off")
        self.plain.toggled.connect(self.plain_changed)
        top.addWidget(self.plain)
        layout.addLayout(top)
        self.subject = QLabel()
        self.subject.setObjectName("cardTitle")
        self.subject.setWordWrap(True)
        layout.addWidget(self.subject)
        self.stack = QStackedWidget()
        self.placeholder = QLabel("The preview appears here.")
        self.placeholder.setObjectName("cardText")
        self.stack.addWidget(self.placeholder)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.stack.addWidget(self.text)
        layout.addWidget(self.stack, 1)
        self.status = QLabel()
        self.status.setObjectName("fieldHint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.view: HtmlView | None = None
        self._update_plain_switch()

    def key(self) -> str:
        """The page or email shown now."""
        return TABS[self.tabs.currentIndex()][0]

    def select(self, key: str) -> None:
        """Switch to a page or email."""
        self.tabs.setCurrentIndex([k for k, _ in TABS].index(key))
        self._update_plain_switch()

    def _update_plain_switch(self) -> None:
        self.plain.setEnabled(self.key() not in PAGES)
        self.subject.setVisible(self.key() not in PAGES)

    def attach_view(self, view: HtmlView) -> None:
        """Put the HTML view in place (once, when the panel is first shown)."""
        self.view = view
        self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)

    def show_html(self, html: str, base: QUrl, subject: str | None = None) -> None:
        """Show a page or an HTML email."""
        self._update_plain_switch()
        self.subject.setText(f"Subject: {subject}" if subject else "")
        if self.view is not None:
            self.stack.setCurrentWidget(self.view)
            self.view.show_html(html, base)

    def show_text(self, text: str, subject: str) -> None:
        """Show an email's plain-text part."""
        self._update_plain_switch()
        self.subject.setText(f"Subject: {subject}")
        self.text.setPlainText(text)
        self.stack.setCurrentWidget(self.text)
