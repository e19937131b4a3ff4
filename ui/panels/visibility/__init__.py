"""The "What customers see" panel: edit the visibility policy as a draft, see exactly whom a
change affects, preview it, and publish or discard it under the ETag rules.

The view lays out; this wires it to ``app.visibility`` coroutines through ``Operations``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QTreeWidgetItem, QVBoxLayout, QWidget

from app import visibility
from app.visibility import PolicyState, StaleDraft
from server.wire.permissions import Permission
from server.wire.visibility import VisibilityPolicy
from server.wire.visibility_exposure import ExposureReport
from server.wire.visibility_text import switch_title
from ui.context import PanelContext
from ui.panels.navigate import PREVIEW, open_panel
from ui.panels.visibility.view import VisibilityView

EDIT = Permission.EDIT_VISIBILITY
NEEDS_EDIT = "Needs the “edit visibility” permission. Ask the workspace owner if you need it."
CHECK_DELAY_MS = 600


def _value_text(value: object) -> str:
    if value is True:
        return "shown"
    if value is False:
        return "hidden"
    return f"“{value}”"


class VisibilityPanel(QWidget):
    """Visibility policy editor with the exposure check, publish and discard."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.can_edit = ctx.session.can(EDIT)
        self.state: PolicyState | None = None
        self.base = VisibilityPolicy()
        self.edits = VisibilityPolicy()
        self.report: ExposureReport | None = None
        self.stale: StaleDraft | None = None
        self.dialog: QMessageBox | None = None
        self.view = VisibilityView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.check)
        self._wire()
        self._show_buttons()
        QTimer.singleShot(0, self.load)

    def _wire(self) -> None:
        v = self.view
        v.switches.edited.connect(self._on_edit)
        v.check.clicked.connect(self.check)
        v.save.clicked.connect(lambda: self.ctx.ops.run(self._save(), label="Saving the draft"))
        v.publish.clicked.connect(self.ask_publish)
        v.discard.clicked.connect(self.ask_discard)
        v.preview.clicked.connect(
            lambda: self.ctx.ops.run(self._preview_draft(None), label="Opening the preview")
        )
        v.conflict.reapply.clicked.connect(self.reapply_mine)
        v.conflict.theirs.clicked.connect(self.keep_theirs)
        v.exposure.tree.currentItemChanged.connect(self._on_pick_record)
        v.exposure.tree.itemDoubleClicked.connect(lambda *_: self._preview_record())
        v.exposure.preview_button.clicked.connect(self._preview_record)

    # -- loading and showing ---------------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """Read the policy from the server (edits in the editor are replaced)."""
        return self.ctx.ops.run(self._load, label="Loading the visibility policy")

    async def _load(self) -> None:
        self._take(await visibility.load(self.ctx.api))
        await self._check()

    def _take(self, state: PolicyState, edits: VisibilityPolicy | None = None) -> None:
        self.state = state
        self.base = state.working
        self.edits = edits if edits is not None else state.working
        self.show_policy()

    def show_policy(self) -> None:
        """Put ``edits`` into the switches, marking what differs from the published policy."""
        published = self.state.doc.published if self.state else VisibilityPolicy()
        sw = self.view.switches
        for switch, box in sw.boxes.items():
            box.blockSignals(True)
            box.setChecked(bool(visibility.switch_value(self.edits, switch)))
            box.blockSignals(False)
            changed = visibility.switch_value(published, switch) != box.isChecked()
            _mark(box, changed)
            head = switch.partition(".")[0]
            section_on = head not in self.edits.sections or self.edits.sections[head]
            box.setEnabled(self.can_edit and (head == "section" or section_on))
            box.setToolTip("" if self.can_edit else NEEDS_EDIT)
        for switch, edit in sw.labels.items():
            value = str(visibility.switch_value(self.edits, switch))
            if edit.text() != value:
                edit.setText(value)
            _mark(edit, value != visibility.switch_value(published, switch))
            edit.setReadOnly(not self.can_edit)
            edit.setToolTip("" if self.can_edit else NEEDS_EDIT)
        self._show_state()
        self._show_buttons()

    def _show_state(self) -> None:
        if self.state is None:
            return
        unsaved = self.dirty
        if self.state.doc.draft is None and not unsaved:
            text = "No draft. Customers see what is shown below; change a switch to start one."
        elif self.state.doc.draft is None:
            text = "Unsaved changes. Save them as a draft to preview them, or publish them."
        else:
            text = "Editing the draft. Customers still see the published policy until you publish."
            if unsaved:
                text += " You have unsaved changes."
        self.view.state.setText(text)

    @property
    def dirty(self) -> bool:
        """The editor holds changes the server has not saved."""
        return self.state is not None and bool(
            visibility.differences(self.state.working, self.edits)
        )

    @property
    def differs_from_published(self) -> bool:
        """Publishing would change something."""
        return self.state is not None and bool(
            visibility.differences(self.state.doc.published, self.edits)
        )

    def _show_buttons(self) -> None:
        v = self.view
        has_draft = self.state is not None and self.state.doc.draft is not None
        for button, on, why in (
            (v.save, self.dirty, "Nothing to save: no changes since the last save."),
            (v.publish, has_draft or self.differs_from_published, "Nothing to publish."),
            (v.discard, has_draft or self.dirty, "There is no draft to discard."),
        ):
            button.setEnabled(self.can_edit and on)
            button.setToolTip(NEEDS_EDIT if not self.can_edit else ("" if on else why))
        v.preview.setEnabled(self.can_edit or has_draft)
        v.preview.setToolTip(
            "See the draft as a customer will." if v.preview.isEnabled() else NEEDS_EDIT
        )

    # -- editing -----------------------------------------------------------------------------

    def _on_edit(self, switch: str, value: object) -> None:
        if switch.startswith("status.") and not str(value).strip():
            return  # a label cannot be empty; keep the last one until something is typed
        try:
            self.edits = visibility.with_switch(self.edits, switch, value)  # type: ignore[arg-type]
        except ValueError as exc:
            self.ctx.ops.failed.emit(f"{switch_title(switch)}: {exc}", None)
            return
        self.show_policy()
        self._check_timer.start()

    def check(self) -> asyncio.Task[Any]:
        """Ask the server what publishing the editor's policy would change."""
        return self.ctx.ops.run(
            self._check(), label="Checking what publishing changes", key="visibility-check"
        )

    async def _check(self) -> None:
        report = await visibility.exposure(self.ctx.api, self.edits)
        self.show_report(report)

    def show_report(self, report: ExposureReport) -> None:
        """The exposure check's sentence and its changes, each with the records it reaches."""
        self.report = report
        ex = self.view.exposure
        ex.summary.setText(report.summary)
        ex.tree.clear()
        for change in report.changes:
            becomes = {"visible": "shown", "hidden": "hidden", "changed": "relabelled"}
            top = QTreeWidgetItem(
                [
                    f"{change.title}: {becomes[change.becomes]}",
                    f"{change.records:,}" if change.record_kind else "",
                    "everyone" if change.contacts is None else f"{change.contacts:,}",
                ]
            )
            top.setToolTip(0, change.sentence)
            for s in change.samples:
                child = QTreeWidgetItem([f"{s.label} · {s.customer_name}", "", ""])
                child.setData(0, Qt.ItemDataRole.UserRole, s.model_dump())
                top.addChild(child)
            ex.tree.addTopLevelItem(top)
        ex.preview_button.setEnabled(False)

    # -- saving, publishing, discarding ------------------------------------------------------

    async def _save(self) -> PolicyState:
        assert self.state is not None
        try:
            state = await visibility.save_draft(self.ctx.api, self.state, self.edits)
        except StaleDraft as stale:
            self.show_stale(stale)
            raise
        self._take(state)
        self.view.conflict.hide()
        return state

    def ask_publish(self) -> None:
        """Confirm with the exposure check's sentence, then publish."""
        summary = self.report.summary if self.report else "Check what this changes first."
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Publish the visibility policy?",
            f"{summary}\n\nCustomers see this as soon as it is published.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        go = box.addButton("Publish", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda b: b is go and self.ctx.ops.run(self._publish(), label="Publishing")
        )
        self.dialog = box
        box.open()

    async def _publish(self) -> None:
        if self.dirty or (self.state is not None and self.state.doc.draft is None):
            await self._save()
        assert self.state is not None
        try:
            state = await visibility.publish(self.ctx.api, self.state)
        except StaleDraft as stale:
            self.show_stale(stale)
            raise
        self._take(state)
        self.view.state.setText("Published. Customers now see the policy shown below.")
        await self._check()

    def ask_discard(self) -> None:
        """Confirm, then throw the draft (and unsaved edits) away."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Discard the draft?",
            "Your draft and unsaved edits are thrown away. Customers keep seeing the "
            "published policy.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        go = box.addButton("Discard draft", QMessageBox.ButtonRole.DestructiveRole)
        box.buttonClicked.connect(
            lambda b: b is go and self.ctx.ops.run(self._discard(), label="Discarding")
        )
        self.dialog = box
        box.open()

    async def _discard(self) -> None:
        assert self.state is not None
        if self.state.doc.draft is None:
            self._take(self.state)
            await self._check()
            return
        try:
            state = await visibility.discard(self.ctx.api, self.state)
        except StaleDraft as stale:
            self.show_stale(stale)
            raise
        self._take(state)
        await self._check()

    # -- someone else changed it ------------------------------------------------------------

    def show_stale(self, stale: StaleDraft) -> None:
        """What the other person changed; this person's edits stay in the editor."""
        self.stale = stale
        current = stale.current
        if current.doc.draft is None and self.state is not None and self.state.doc.draft:
            lead = "Someone else discarded the draft or published it while you were editing."
        else:
            lead = "Someone else changed the visibility policy while you were editing."
        theirs = [
            f"{switch_title(s)}: now {_value_text(visibility.switch_value(current.working, s))}"
            for s in stale.theirs
        ]
        mine = visibility.differences(self.base, self.edits)
        text = lead
        if theirs:
            text += "<br><b>Their changes:</b> " + "; ".join(theirs)
        if mine:
            text += "<br><b>Your edits:</b> " + "; ".join(switch_title(s) for s in mine)
        text += "<br>Nothing was saved or published."
        self.view.conflict.text.setText(text)
        self.view.conflict.reapply.setEnabled(bool(mine))
        self.view.conflict.show()
        self._check_timer.start()  # what these edits would change, against the policy now

    def reapply_mine(self) -> None:
        """Their version with this person's edits on top; then save or publish again."""
        if self.stale is None:
            return
        current = self.stale.current
        mine = visibility.reapply(self.base, self.edits, current.working)
        self.stale = None
        self._take(current, mine)
        self.view.conflict.hide()
        self.check()

    def keep_theirs(self) -> None:
        """Drop this person's edits and show what the server has now."""
        if self.stale is None:
            return
        current, self.stale = self.stale.current, None
        self._take(current)
        self.view.conflict.hide()
        self.check()

    # -- from and to the preview -------------------------------------------------------------

    def focus_switch(self, switch: str) -> None:
        """Scroll to one switch and put the keyboard focus on it (from the inspector)."""
        sw = self.view.switches
        widget = sw.boxes.get(switch) or sw.labels.get(switch)
        if widget is None:
            return
        self.view.switch_scroll.ensureWidgetVisible(widget, 40, 80)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_pick_record(self, item: QTreeWidgetItem | None, _old: object = None) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.view.exposure.preview_button.setEnabled(isinstance(data, dict))

    def _preview_record(self) -> None:
        item = self.view.exposure.tree.currentItem()
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(data, dict):
            self.ctx.ops.run(self._preview_draft(data), label="Opening the preview")

    async def _preview_draft(self, record: dict[str, Any] | None) -> None:
        """Save unsaved edits, then show the draft in the Preview panel (beside the published
        version), on the record's page when one was picked."""
        if self.can_edit and self.dirty:
            await self._save()
        panel = open_panel(self, PREVIEW)
        if panel is None:
            self.ctx.ops.failed.emit("Your role cannot open the Preview panel.", None)
            return
        panel.show_draft_visibility(record)


def _mark(widget: QWidget, changed: bool) -> None:
    """Style a switch that differs from what customers see now."""
    if widget.property("changed") != changed:
        widget.setProperty("changed", changed)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    if changed:
        widget.setAccessibleDescription("Changed from what customers see now")
