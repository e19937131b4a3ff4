"""The placeholder shown while a workspace's portal is not live yet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.session import StaffSession
from server.wire.permissions import Permission
from ui.resources import icon

# What can be prepared before customers are let in: (panel key, title, explanation, section
# of the panel to bring forward, if any).
PREPARATIONS: tuple[tuple[str, str, str, str | None], ...] = (
    (
        "access",
        "Email clean-up",
        "Check that each customer's contacts have the right email address before invites go "
        "out: one invite per contact, to the person the email belongs to. Invites sent "
        "meanwhile are held and go out when the portal goes live.",
        "cleanup",
    ),
    (
        "visibility",
        "What customers see",
        "Choose which job, quote, invoice, document and photo details are shown, and preview "
        "the portal exactly as one contact will see it.",
        None,
    ),
    (
        "branding",
        "Branding",
        "Your business name, logo, colours and the contact details customers see.",
        None,
    ),
    (
        "team",
        "Team",
        "Who in the office may invite, reset and disable customers' access, and who may go live.",
        None,
    ),
    (
        "rollout",
        "Rollout",
        "The readiness checklist, a pilot group of repeat customers, and the switch to go live.",
        None,
    ),
)


class ComingSoonPanel(QScrollArea):
    """Explains the coming-soon state and lists what can be prepared meanwhile.

    Each card opens the panel that does the work; a panel that cannot open says why, in its
    button's tooltip and in words on the card (``refresh`` asks the window once every panel
    is built).
    """

    def __init__(
        self,
        session: StaffSession,
        open_panel: Callable[[str], None],
        unavailable: Callable[[str], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._unavailable = unavailable
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(40, 32, 40, 32)
        layout.setSpacing(14)

        head = QHBoxLayout()
        badge = QLabel()
        badge.setPixmap(icon("coming-soon").pixmap(40, 40))
        head.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        title = QLabel(f"{session.workspace_name}: customer portal coming soon")
        title.setObjectName("pageTitle")
        title.setWordWrap(True)
        head.addWidget(title, 1)
        layout.addLayout(head)

        lead = QLabel(
            "The portal is not open to customers yet. Anyone who follows a portal link sees a "
            "friendly “coming soon” page instead of a sign-in, and no invites can be used. "
            "Nothing you prepare here is shown to customers until the portal goes live."
        )
        lead.setObjectName("pageLead")
        lead.setWordWrap(True)
        layout.addWidget(lead)

        sub = QLabel("What you can prepare meanwhile")
        sub.setObjectName("cardTitle")
        layout.addWidget(sub)
        self.buttons: dict[str, QPushButton] = {}
        self.notes: dict[str, QLabel] = {}
        for key, name, text, section in PREPARATIONS:
            layout.addWidget(self._card(key, name, text, self._opener(open_panel, key, section)))

        if session.can(Permission.EDIT_WORKSPACE):
            live = (
                "When everything is ready, open the portal from the Rollout panel (Go live): "
                "it shows what is still open before anything changes."
            )
        else:
            live = (
                "An owner of this workspace opens the portal from the Rollout panel when it "
                "is ready (it needs the “Go live and workspace settings” permission)."
            )
        self.footer = QLabel(live)
        self.footer.setObjectName("cardText")
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)
        layout.addStretch(1)
        self.setWidget(body)
        self.refresh()

    def refresh(self) -> None:
        """Enable the cards whose panel can open; say plainly why the others cannot."""
        for key, button in self.buttons.items():
            why = self._unavailable(key)
            button.setEnabled(why is None)
            button.setToolTip(why or "")
            self.notes[key].setText(why or "")
            self.notes[key].setVisible(why is not None)

    def _opener(
        self, open_panel: Callable[[str], None], key: str, section: str | None
    ) -> Callable[[], None]:
        def go() -> None:
            open_panel(key)
            if section is not None:
                show_section(self.parentWidget(), section)

        return go

    def _card(self, key: str, name: str, text: str, open_panel: Callable[[], None]) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        row = QHBoxLayout(card)
        row.setContentsMargins(16, 12, 16, 12)
        column = QVBoxLayout()
        heading = QLabel(name)
        heading.setObjectName("cardTitle")
        column.addWidget(heading)
        body = QLabel(text)
        body.setObjectName("cardText")
        body.setWordWrap(True)
        column.addWidget(body)
        note = QLabel()
        note.setObjectName("cardNote")
        note.setWordWrap(True)
        column.addWidget(note)
        self.notes[key] = note
        row.addLayout(column, 1)
        button = QPushButton("Open")
        button.clicked.connect(lambda: open_panel())
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.buttons[key] = button
        return card


def show_section(stack: QWidget | None, section: str) -> None:
    """Ask the panel just brought forward to show one of its sections (say, a tab).

    The panel on screen is the stack's current page (or a page holding it); any widget there
    with a ``show_section`` method is asked.
    """
    if not isinstance(stack, QStackedWidget):
        return
    page = stack.currentWidget()
    if page is None:
        return
    for widget in (page, *page.findChildren(QWidget)):
        handler = getattr(widget, "show_section", None)
        if callable(handler):
            handler(section)
            return
