"""One follow-up item in full: what happened, who has it, and what can be done (layout only).

Buttons emit ``action(name)``; the panel decides. A button the signed-in person may not use is
disabled with a tooltip naming the permission, and one that cannot apply says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.follow_up_text import (
    KIND_LABELS,
    TROUBLE_FIX,
    detail_lines,
    done_line,
    holder_line,
    portal_path,
    when,
)
from ui.panels.follow_up.dialogs import wrap

# name -> button text
ITEM_ACTIONS = {
    "take": "Take it",
    "assign": "Assign…",
    "done": "Mark done…",
    "reopen": "Reopen",
}
RECORD_ACTIONS = {
    "customer": "Open customer",
    "as_seen": "See as customer",
}
REQUEST_ACTIONS = {
    "accept": "Accept and schedule…",
    "ask": "Ask for more…",
    "decline": "Decline…",
}
FIX_ACTION = "fix"
CHOOSE = "Choose an item in the list to see it in full."


class DetailPane(QScrollArea):
    """The item on the right of the inbox; ``action(name)`` when a button is pressed."""

    action = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Everything wraps (texts and button rows), so the pane never needs to scroll sideways;
        # the splitter keeps it at least as wide as its widest row of buttons.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(340)
        self.item: dict[str, Any] | None = None
        body = QWidget()
        body.setObjectName("detailBody")
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        self.empty = wrap(QLabel(CHOOSE))
        self.empty.setObjectName("cardText")
        layout.addWidget(self.empty)
        self.kind = QLabel()
        self.kind.setObjectName("kindBadge")
        self.title = wrap(QLabel())
        self.title.setObjectName("cardTitle")
        self.meta = wrap(QLabel())
        self.meta.setObjectName("detailText")
        self.holder = wrap(QLabel())
        self.holder.setObjectName("cardText")
        self.message = wrap(QLabel())
        self.message.setObjectName("formError")
        self.info = wrap(QLabel())
        self.info.setObjectName("detailText")
        for widget in (self.kind, self.title, self.meta, self.holder, self.message):
            layout.addWidget(widget)
        self.lines = QFormLayout()
        self.lines.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.lines.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(self.lines)
        self.photos = QHBoxLayout()
        self.photos.setSpacing(6)
        layout.addLayout(self.photos)
        self.buttons: dict[str, QPushButton] = {}
        self.rows: list[QWidget] = []
        for group in (ITEM_ACTIONS, REQUEST_ACTIONS, {FIX_ACTION: "Fix"}, RECORD_ACTIONS):
            row = QWidget()
            # Two buttons a line: they fit a narrow pane without a sideways scroll bar.
            grid = QGridLayout(row)
            grid.setContentsMargins(0, 4, 0, 0)
            for i, (name, text) in enumerate(group.items()):
                button = QPushButton(text)
                button.setObjectName(f"followUp_{name}")
                button.clicked.connect(lambda _c=False, n=name: self.action.emit(n))
                self.buttons[name] = button
                grid.addWidget(button, i // 2, i % 2)
            grid.setColumnStretch(2, 1)
            layout.addWidget(row)
            self.rows.append(row)
        self.request_row, self.fix_row = self.rows[1], self.rows[2]
        layout.addWidget(self.info)
        layout.addStretch(1)
        self.show_item(None)

    # -- what the panel tells it -----------------------------------------------------------

    def show_item(self, item: Mapping[str, Any] | None, me_id: int | None = None) -> None:
        """Show an item (None: nothing chosen). Any earlier message is cleared."""
        self.item = None if item is None else dict(item)
        chosen = item is not None
        self.empty.setVisible(not chosen)
        for widget in (self.kind, self.title, self.meta, self.holder, *self.rows):
            widget.setVisible(chosen)
        self.message.hide()
        self.info.hide()
        self._clear_lines()
        self.set_photos([])
        if item is None:
            self.empty.setText(CHOOSE)
            return
        kind = str(item.get("kind"))
        self.kind.setText(KIND_LABELS.get(kind, kind).upper())
        self.title.setText(str(item.get("title") or ""))
        customer = item.get("customer_name") or "No customer"
        if item.get("customer_deleted"):
            customer = f"{customer} (customer deleted since)"
        contact = f" · {item['contact_name']}" if item.get("contact_name") else ""
        self.meta.setText(f"{customer}{contact} · {when(item.get('happened_at'))}")
        done = done_line(item)
        self.holder.setText(_sentence(done) if done else holder_line(item, me_id))
        for label, value in detail_lines(item):
            self.lines.addRow(wrap(QLabel(f"<b>{label}</b>")), wrap(QLabel(value)))
        self.request_row.setVisible(kind == "service_request")
        trouble = (item.get("details") or {}).get("trouble")
        fix = TROUBLE_FIX.get(str(trouble)) if kind == "sign_in_trouble" else None
        if kind == "mail_failed":
            fix = ("outbox", "Show in the outbox")
        self.fix_row.setVisible(fix is not None)
        if fix is not None:
            self.buttons[FIX_ACTION].setText(fix[1])

    def say(self, text: str, error: bool = True) -> None:
        """A message under the item: an error (a clash, a refusal) or what just happened."""
        label = self.message if error else self.info
        (self.info if error else self.message).hide()
        label.setText(text)
        label.setVisible(bool(text))

    def set_allowed(self, name: str, allowed: bool, why: str = "") -> None:
        """Enable a button, or disable it with the reason as its tooltip."""
        button = self.buttons[name]
        button.setEnabled(allowed)
        button.setToolTip("" if allowed else why)

    def set_photos(self, pictures: list[QPixmap | str]) -> None:
        """Photo thumbnails of a service request (a text stands in for one not shown)."""
        while self.photos.count():
            taken = self.photos.takeAt(0)
            child = None if taken is None else taken.widget()
            if child is not None:
                child.deleteLater()
        for picture in pictures:
            label = QLabel()
            label.setObjectName("photoThumb")
            if isinstance(picture, QPixmap):
                label.setPixmap(picture)
            else:
                label.setText(picture)
                label.setWordWrap(True)
            label.setFixedSize(100, 100)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.photos.addWidget(label)
        if pictures:
            self.photos.addStretch(1)

    def _clear_lines(self) -> None:
        while self.lines.rowCount():
            self.lines.removeRow(0)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def record_available(item: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether the item's record can be shown as the customer saw it, and why not."""
    if item.get("customer_deleted") or item.get("customer_id") is None:
        return False, "The customer was deleted; their pages no longer exist."
    if portal_path(item) is None:
        return False, "This item has no page of its own on the portal."
    if item.get("contact_id") is None:
        return False, "No contact is named on this item, so there is nobody to see it as."
    return True, ""
