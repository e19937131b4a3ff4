"""The visibility editor's layout: a switch per section, field and action with what it does,
the customer-facing job status labels, and the exposure check beside them. Layout only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from server.wire.visibility import ACTIONS, FIELDS, JOB_STATUSES, SECTIONS
from server.wire.visibility_text import switch_description, switch_title


def _help(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("switchHelp")
    label.setWordWrap(True)
    return label


class SwitchesView(QWidget):
    """Every switch of the policy, grouped by section. Emits ``edited(switch, value)``."""

    edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        for section in SECTIONS:
            group = QGroupBox(switch_title(f"section.{section}"))
            grid = QGridLayout(group)
            self._add(grid, f"section.{section}", f"Show {section} to customers", 0)
            for i, field in enumerate(FIELDS[section], start=1):
                self._add(grid, f"{section}.{field}", switch_title(f"{section}.{field}"), i)
            layout.addWidget(group)
        actions = QGroupBox("What customers can do")
        grid = QGridLayout(actions)
        for i, action in enumerate(ACTIONS):
            self._add(grid, f"action.{action}", switch_title(f"action.{action}"), i)
        layout.addWidget(actions)
        statuses = QGroupBox("Job status labels customers read")
        grid = QGridLayout(statuses)
        for i, status in enumerate(JOB_STATUSES):
            edit = QLineEdit()
            edit.setMaxLength(60)
            edit.setPlaceholderText(JOB_STATUSES[status])
            edit.setAccessibleName(f"Label for {status}")
            edit.textEdited.connect(lambda text, s=status: self.edited.emit(f"status.{s}", text))
            self.labels[f"status.{status}"] = edit
            name = QLabel(status.replace("_", " ").capitalize())
            grid.addWidget(name, i, 0)
            grid.addWidget(edit, i, 1)
        layout.addWidget(statuses)
        layout.addStretch(1)

    def _add(self, grid: QGridLayout, switch: str, text: str, row: int) -> None:
        box = QCheckBox(text)
        box.toggled.connect(lambda on, s=switch: self.edited.emit(s, on))
        self.boxes[switch] = box
        grid.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(_help(switch_description(switch)), row, 1)
        grid.setColumnStretch(1, 1)


class ExposureView(QWidget):
    """The exposure check: one sentence, then each change with the records it reaches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        title = QLabel("What publishing changes")
        title.setObjectName("cardTitle")
        layout.addWidget(title)
        self.summary = QLabel("Make a change, then check what it does for your customers.")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("panelNote")
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Change", "Records", "Contacts"])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 70)
        header.resizeSection(2, 70)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.preview_button = QPushButton("Preview this record")
        self.preview_button.setEnabled(False)
        self.preview_button.setToolTip("Pick a record in the list to see it as its customer does.")
        row.addStretch(1)
        row.addWidget(self.preview_button)
        layout.addLayout(row)


class ConflictBox(QFrame):
    """Shown after a 412: what someone else changed, and how to carry on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict")
        layout = QVBoxLayout(self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        self.reapply = QPushButton("Re-apply my edits on top")
        self.theirs = QPushButton("Drop my edits, keep theirs")
        row.addWidget(self.reapply)
        row.addWidget(self.theirs)
        row.addStretch(1)
        layout.addLayout(row)
        self.hide()


class VisibilityView(QWidget):
    """The whole panel: heading, state line, buttons, conflict box, switches and exposure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel("What customers see")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.state = QLabel("Loading the visibility policy…")
        self.state.setObjectName("pageLead")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        buttons = QHBoxLayout()
        self.check = QPushButton("Check changes")
        self.check.setToolTip("Ask the server what publishing would change, and for whom")
        self.save = QPushButton("Save draft")
        self.preview = QPushButton("Preview the draft…")
        self.publish = QPushButton("Publish…")
        self.discard = QPushButton("Discard draft")
        for b in (self.check, self.save, self.preview, self.publish, self.discard):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.conflict = ConflictBox()
        layout.addWidget(self.conflict)
        self.switches = SwitchesView()
        self.switch_scroll = QScrollArea()
        scroll = self.switch_scroll
        scroll.setWidget(self.switches)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
        self.exposure = ExposureView()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.exposure)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
