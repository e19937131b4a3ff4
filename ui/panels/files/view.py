"""The file review queue's layout: the list with thumbnails, and the picked file's pages,
caption and decision buttons. Layout only."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

STATUSES = {"pending": "Waiting for review", "shareable": "Shared", "rejected": "Kept internal"}


class FilesView(QWidget):
    """Heading, status filter, the queue, and the detail of the picked files."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel("File review")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        lead = QLabel(
            "Documents and photos from the CRM and from customers' service requests. "
            "Nothing here is visible to customers until you share it."
        )
        lead.setObjectName("pageLead")
        lead.setWordWrap(True)
        layout.addWidget(lead)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        self.status = QComboBox()
        for key, text in STATUSES.items():
            self.status.addItem(text, key)
        row.addWidget(self.status)
        self.count = QLabel()
        self.count.setObjectName("switchHelp")
        row.addWidget(self.count, 1)
        self.more = QPushButton("Load more")
        self.more.hide()
        row.addWidget(self.more)
        layout.addLayout(row)

        self.list = QListWidget()
        self.list.setIconSize(QSize(72, 72))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(2)
        self.empty = QLabel()
        self.empty.setObjectName("pageLead")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty, 1)

        right = QWidget()
        detail = QVBoxLayout(right)
        self.heading = QLabel("Pick a file to look at it.")
        self.heading.setObjectName("cardTitle")
        self.heading.setWordWrap(True)
        detail.addWidget(self.heading)
        self.facts = QLabel()
        self.facts.setObjectName("switchHelp")
        self.facts.setWordWrap(True)
        detail.addWidget(self.facts)
        self.pages = QLabel()
        self.pages.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.pages)
        scroll.setWidgetResizable(True)
        detail.addWidget(scroll, 1)
        self.caption_label = QLabel("Caption customers read")
        detail.addWidget(self.caption_label)
        self.caption = QLineEdit()
        self.caption.setMaxLength(200)
        self.caption.setPlaceholderText("A short caption or title, in plain words")
        detail.addWidget(self.caption)
        buttons = QHBoxLayout()
        self.share = QPushButton("Share with customer")
        self.keep = QPushButton("Keep internal")
        buttons.addWidget(self.share)
        buttons.addWidget(self.keep)
        buttons.addStretch(1)
        detail.addLayout(buttons)
        self.note = QLabel()
        self.note.setObjectName("panelNote")
        self.note.setWordWrap(True)
        detail.addWidget(self.note)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
