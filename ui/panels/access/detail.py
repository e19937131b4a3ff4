"""The customer's detail: contacts, their portal access in words, the actions, the history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.access import PERMISSIONS
from app.access_text import describe_account, describe_event
from app.portal_status import STATUS_LABELS
from server.wire.local_time import LocalFormat, Localised
from server.wire.permissions import Permission
from ui.models.customers import STATUS_COLORS
from ui.panels.access.cleanup import SIGN_IN_EMAIL_LOCKED

BUTTONS = {
    "invite": "Invite…",
    "resend": "Send new invite",
    "revoke": "Revoke invite",
    "reset": "Send reset link",
    "unlock": "Unlock",
    "disable": "Disable…",
    "enable": "Enable",
    "edit_email": "Change email…",
    "preview": "Preview as…",
    "edit_zone": "Time zone…",
}

# Which actions make sense in each portal status, in the order the buttons appear.
APPLICABLE = {
    "not_invited": ("invite",),
    "invited": ("resend", "revoke", "disable"),
    "invite_expired": ("resend", "disable"),
    "active": ("reset", "disable"),
    "locked": ("unlock", "reset", "disable"),
    "disabled": ("enable",),
}


def actions_for(account: dict[str, Any] | None, can: Any) -> list[str]:
    """The actions to offer for one contact's account, limited to what the role may do."""
    status = (account or {}).get("portal_status", "not_invited")
    return [a for a in APPLICABLE.get(status, ()) if can(PERMISSIONS[a])]


class ContactCard(QFrame):
    """One contact: name, email, access in words, and the buttons this person may press."""

    def __init__(
        self, contact: dict[str, Any], actions: list[str], now: datetime, fmt: Localised
    ) -> None:
        super().__init__()
        self.setObjectName("card")
        self.contact_id = int(contact["id"])
        layout = QVBoxLayout(self)
        account = contact.get("portal_account")
        status = (account or {}).get("portal_status", "not_invited")
        head = QHBoxLayout()
        role = " · primary" if contact.get("is_primary") else f" · {contact.get('role', '')}"
        name = QLabel(f"<b>{contact['name']}</b>{role}")
        name.setObjectName("cardTitle")
        head.addWidget(name, 1)
        held = bool(((account or {}).get("invite") or {}).get("held")) and status == "invited"
        badge = QLabel("Held until live" if held else STATUS_LABELS.get(status, status))
        badge.setObjectName("statusBadge")
        badge.setStyleSheet(f"color: {STATUS_COLORS.get(status, '#333')}; font-weight: 600;")
        head.addWidget(badge)
        layout.addLayout(head)
        email = contact.get("email") or "no email address"
        phone = f" · {contact['phone']}" if contact.get("phone") else ""
        line = QLabel(f"{email}{phone}")
        line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        line.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        if "edit_email" in actions:
            # On the email's own line, so the access buttons below keep their room.
            email_row = QHBoxLayout()
            email_row.addWidget(line, 1)
            edit = QPushButton(BUTTONS["edit_email"])
            edit.setObjectName("action_edit_email")
            edit.setFlat(True)
            edit.setCursor(Qt.CursorShape.PointingHandCursor)
            self.buttons["edit_email"] = edit
            email_row.addWidget(edit, 0, Qt.AlignmentFlag.AlignTop)
            layout.addLayout(email_row)
            actions = [a for a in actions if a != "edit_email"]
        else:
            layout.addWidget(line)
        if contact.get("email_problem"):
            problem = QLabel(f"Email problem: {contact['email_problem']}")
            problem.setObjectName("formError")
            problem.setWordWrap(True)
            layout.addWidget(problem)
        if contact.get("time_zone") or "edit_zone" in actions:
            # Like the email: a line of its own with its link, not a fourth access button.
            zone_row = QHBoxLayout()
            own = contact.get("time_zone")
            zone = QLabel(
                f"Lives in {own}: portal times name the business's zone."
                if own
                else "Time zone: the business's."
            )
            zone.setObjectName("contactZone")
            zone.setWordWrap(True)
            zone_row.addWidget(zone, 1)
            if "edit_zone" in actions:
                pick = QPushButton(BUTTONS["edit_zone"])
                pick.setObjectName("action_edit_zone")
                pick.setFlat(True)
                pick.setCursor(Qt.CursorShape.PointingHandCursor)
                self.buttons["edit_zone"] = pick
                zone_row.addWidget(pick, 0, Qt.AlignmentFlag.AlignTop)
                actions = [a for a in actions if a != "edit_zone"]
            layout.addLayout(zone_row)
        self.description = QLabel(describe_account(account, now, fmt))
        self.description.setObjectName("accountText")
        self.description.setWordWrap(True)
        layout.addWidget(self.description)
        row = QHBoxLayout()
        for action in actions:
            button = QPushButton(BUTTONS[action])
            button.setObjectName(f"action_{action}")
            self.buttons[action] = button
            row.addWidget(button)
        row.addStretch(1)
        # Every contact can be previewed, invited or not: what they see, or will once invited.
        preview = QPushButton(BUTTONS["preview"])
        preview.setObjectName("action_preview")
        preview.setToolTip(
            f"See the portal exactly as {contact['name']} sees it"
            + (" (once invited)" if account is None else "")
        )
        self.buttons["preview"] = preview
        row.addWidget(preview)
        layout.addLayout(row)


class DetailPane(QWidget):
    """Shows one customer; ``action_requested(action, contact_id)`` when a button is pressed."""

    action_requested = Signal(str, int)

    def __init__(self, can: Any, preview_locked: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.can = can
        # Why "Preview as…" is disabled for this role (the tooltip), naming the permission.
        self.preview_locked = preview_locked
        self.customer: dict[str, Any] | None = None
        self.cards: dict[int, ContactCard] = {}
        # The workspace's time zone and locale: every date and time shown is the business's.
        self.formats: Localised = LocalFormat(None)
        # Room for a contact card: its name and status badge, and three access buttons.
        self.setMinimumWidth(370)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel("Rollout")
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("pageLead")
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.subtitle)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        outer.addWidget(self.status)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_box = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        # With no customer chosen: the workspace's rollout in a few lines.
        self.overview = QLabel("")
        self.overview.setObjectName("rolloutSummary")
        self.overview.setWordWrap(True)
        self.overview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cards_layout.addWidget(self.overview)
        self.cards_layout.addStretch(1)
        scroll.setWidget(self.cards_box)
        outer.addWidget(scroll, 3)
        self.history = QLabel("History")
        self.history.setObjectName("cardTitle")
        outer.addWidget(self.history)
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        outer.addWidget(self.timeline, 1)
        self.history.hide()
        self.timeline.hide()

    def show_overview(self, lines: list[str]) -> None:
        """No customer chosen: the rollout summary instead of an empty pane."""
        if self.customer is not None:
            return
        self.title.setText("Rollout")
        self.subtitle.setText("")
        self.overview.setText("\n".join(lines))
        self.overview.show()

    def show_loading(self, name: str) -> None:
        """A customer was picked; its details are on the way."""
        self.overview.hide()
        self.title.setText(name)
        self.status.setText("Loading…")

    def show_error(self, message: str) -> None:
        """Loading failed: say what happened where the details would be."""
        self.status.setText(message)

    def show_customer(self, customer: dict[str, Any], now: datetime | None = None) -> None:
        """Fill the pane with one customer's details (keeps the history until it arrives)."""
        now = now or datetime.now(UTC)
        self.customer = customer
        self.overview.hide()
        self.history.show()
        self.timeline.show()
        self.title.setText(customer["name"])
        bits = [customer.get("phone"), customer.get("address")]
        if customer.get("external_id"):
            bits.append(f"CRM id {customer['external_id']}")
        self.subtitle.setText(" · ".join(b for b in bits if b))
        self.status.setText("" if customer.get("contacts") else "This customer has no contacts.")
        for card in self.cards.values():
            card.setParent(None)
            card.deleteLater()
        self.cards.clear()
        for contact in customer.get("contacts", []):
            acts = actions_for(contact.get("portal_account"), self.can)
            if "invite" in acts and not contact.get("email"):
                acts.remove("invite")
            invite = (contact.get("portal_account") or {}).get("invite") or {}
            if invite.get("held") and "resend" in acts:
                acts.remove("resend")  # nothing was sent yet: going live sends it
            if self.can(Permission.EDIT_CONTACTS):
                acts += ["edit_email", "edit_zone"]
            card = ContactCard(contact, acts, now, self.formats)
            edit = card.buttons.get("edit_email")
            # Their sign-in uses this email: moving it is a permission of its own.
            signs_in = contact.get("portal_account") is not None
            if edit is not None and signs_in and not self.can(Permission.EDIT_CONTACT_EMAIL):
                edit.setEnabled(False)
                edit.setToolTip(SIGN_IN_EMAIL_LOCKED)
            if not self.can(Permission.PREVIEW):
                card.buttons["preview"].setEnabled(False)
                card.buttons["preview"].setToolTip(self.preview_locked)
            for action, button in card.buttons.items():
                button.clicked.connect(
                    lambda _c=False, a=action, cid=card.contact_id: self.action_requested.emit(
                        a, cid
                    )
                )
            self.cards[card.contact_id] = card
            self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)

    def show_history(self, events: list[dict[str, Any]], now: datetime | None = None) -> None:
        """The access events of this customer, newest first."""
        now = now or datetime.now(UTC)
        self.timeline.clear()
        for event in events:
            self.timeline.addItem(describe_event(event, now, self.formats))
        if not events:
            self.timeline.addItem("Nothing has happened to this customer's portal access yet.")

    def contact(self, contact_id: int) -> dict[str, Any] | None:
        """A contact of the shown customer."""
        for c in (self.customer or {}).get("contacts", []):
            if int(c["id"]) == contact_id:
                return dict(c)
        return None
