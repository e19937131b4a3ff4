"""The Rollout panel: readiness checklist, pilot group with its funnel, and going live.

This module wires the views to ``app.rollout`` coroutines through ``Operations``; the views
(checklist, pilot, charts, dialogs) only lay out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import rollout
from app.errors import ApiError
from app.team import why_not
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.coming_soon import show_section
from ui.panels.rollout.charts import AdoptionChart, FunnelChart
from ui.panels.rollout.checklist import ChecklistView
from ui.panels.rollout.dialogs import ConfirmSwitchDialog
from ui.panels.rollout.pilot import PilotView

NARROW = 900  # below this width the pilot form and the charts stack


class RolloutPanel(QScrollArea):
    """Everything an owner needs between "coming soon" and a portal customers use.

    ``checklist_shown`` is emitted each time a checklist from the server is laid out.
    """

    checklist_shown = Signal()

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: Any = None
        self.ready: dict[str, Any] | None = None
        self.group_list: list[dict[str, Any]] = []
        self.group_id: int | None = None
        self.everyone: dict[str, Any] | None = None
        self.loading: asyncio.Task[Any] | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._build()
        self._match_timer = QTimer(self, singleShot=True, interval=300)
        self._match_timer.timeout.connect(self.check_rule)
        self.pilot.rule_changed.connect(self._match_timer.start)
        self.pilot.save_requested.connect(self.save_group)
        self.pilot.group_chosen.connect(self.choose_group)
        self.pilot.batch_requested.connect(self.invite_batch)
        self.checklist.fix_requested.connect(self._fix)
        self._apply_permissions()
        QTimer.singleShot(0, self.load)

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(12)
        head = QHBoxLayout()
        title = QLabel("Rollout")
        title.setObjectName("pageTitle")
        head.addWidget(title)
        self.status = QLabel()
        head.addWidget(self.status)
        head.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.load)
        self.switch_button = QPushButton("Go live…")
        self.switch_button.clicked.connect(self.ask_switch)
        head.addWidget(self.refresh_button)
        head.addWidget(self.switch_button)
        outer.addLayout(head)
        self.summary = QLabel("Reading the checklist…")
        self.summary.setObjectName("pageLead")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        heading = QLabel("Readiness")
        heading.setObjectName("sectionTitle")
        outer.addWidget(heading)
        self.checklist = ChecklistView()
        outer.addWidget(self.checklist)
        heading = QLabel("Pilot group and adoption")
        heading.setObjectName("sectionTitle")
        outer.addWidget(heading)
        # The rule form beside the charts when there is room, above them when narrow.
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(16)
        self.pilot = PilotView()
        self.columns.addWidget(self.pilot, 1)
        # The charts are built when their first numbers arrive, after the checklist shows:
        # QtCharts' first chart is slow to set up, and an empty chart says nothing.
        self.charts = QVBoxLayout()
        self.funnel: FunnelChart | None = None
        self.adoption: AdoptionChart | None = None
        self.charts_waiting = QLabel("Reading the funnel and adoption…")
        self.charts_waiting.setObjectName("cardText")
        self.charts_waiting.setMinimumHeight(260)
        self.charts_waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.charts.addWidget(self.charts_waiting)
        self.numbers = QLabel()
        self.numbers.setObjectName("detailText")
        self.numbers.setWordWrap(True)
        self.charts.addWidget(self.numbers)
        self.columns.addLayout(self.charts, 1)
        outer.addLayout(self.columns)
        outer.addStretch(1)
        self.setWidget(body)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Two columns when there is room, one below the other when narrow."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW
        self.columns.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )

    def _apply_permissions(self) -> None:
        session = self.ctx.session
        if not session.can(Permission.EDIT_WORKSPACE):
            self.switch_button.setEnabled(False)
            self.switch_button.setToolTip(why_not("edit_workspace", session.role))
        if not session.can(Permission.BULK_INVITE):
            tip = why_not("bulk_invite", session.role)
            for widget in (self.pilot.save, self.pilot.invite, self.pilot.name):
                widget.setEnabled(False)
                widget.setToolTip(tip)
            self.pilot.invite.setProperty("allowed", False)
            self.pilot.match.setText(
                "Only people with the “Bulk invite and pilot groups” permission can choose "
                "and invite a pilot group; you can follow the saved groups below."
            )

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> asyncio.Task[Any]:
        """Read the checklist, the groups and the funnels (a newer load replaces an older)."""
        self.loading = self.ctx.ops.run(
            self._load(), label="Reading the checklist", key="rollout-load"
        )
        return self.loading

    async def _load(self) -> None:
        # Every request at once, each answer shown as it arrives: the checklist does not
        # wait for the charts, nor the charts for the checklist.
        await asyncio.gather(self._load_checklist(), self._load_charts())
        if self.ctx.session.can(Permission.BULK_INVITE):
            self._match_timer.start()

    async def _load_checklist(self) -> None:
        self.ready = await rollout.readiness(self.ctx.api)
        self._show_readiness(self.ready)

    async def _load_charts(self) -> None:
        api = self.ctx.api
        # A group followed before is asked for at once; on the first load its id comes with
        # the (short, quick) group list, and its funnel is asked for the moment it does.
        known = self.group_id
        everyone = asyncio.ensure_future(rollout.adoption(api))
        group = asyncio.ensure_future(rollout.adoption(api, known)) if known else None
        try:
            groups = await rollout.groups(api)
            self.group_list = groups
            if self.group_id not in {g["id"] for g in groups}:
                self.group_id = groups[0]["id"] if groups else None
            self.pilot.show_groups(groups, self.group_id)
            if self.group_id != known:
                if group is not None:
                    group.cancel()
                group = (
                    asyncio.ensure_future(rollout.adoption(api, self.group_id))
                    if self.group_id
                    else None
                )
            self.everyone = await everyone
            self._show_charts(await group if group is not None else None)
        finally:  # a newer load (or closing the panel) cancelled this one: stop asking
            for pending in (everyone, group):
                if pending is not None and not pending.done():
                    pending.cancel()

    def _show_readiness(self, ready: dict[str, Any]) -> None:
        live = ready["portal_status"] == "active"
        self.status.setText("Live: customers can sign in" if live else "Coming soon")
        self.status.setObjectName("statusLive" if live else "statusSoon")
        self.status.setStyleSheet("")  # re-apply the stylesheet for the new object name
        total = len(ready["items"])
        still = ready["open_blocking"]
        text = f"{ready['ready_count']} of {total} items ready."
        if still:
            text += f" Still open before going live: {len(still)}."
        elif not live:
            text += " Nothing required is open: you can go live."
        self.summary.setText(text)
        self.switch_button.setText("Switch back to coming soon…" if live else "Go live…")
        self.checklist.show_items(ready["items"], self.ctx.panel_unavailable)
        self.checklist_shown.emit()

    def _charts(self) -> tuple[FunnelChart, AdoptionChart]:
        if self.funnel is None or self.adoption is None:
            self.funnel, self.adoption = FunnelChart(), AdoptionChart()
            self.charts_waiting.hide()
            self.charts.insertWidget(0, self.funnel.view)
            self.charts.addWidget(self.adoption.view)
        return self.funnel, self.adoption

    def _show_charts(self, group: dict[str, Any] | None) -> None:
        name = next((g["name"] for g in self.group_list if g["id"] == self.group_id), "")
        everyone = self.everyone or {"funnel": {"customers": 0}, "weeks": []}
        funnel, adoption = self._charts()
        funnel.show(group["funnel"] if group else None, everyone["funnel"], name)
        adoption.show(group, everyone, name)
        lines = []
        for who, answer in ((name, group), ("Everyone", everyone)):
            if answer is not None:
                steps = " · ".join(
                    f"{n:,} {step.lower()} ({share})"
                    for step, n, share in rollout.funnel_rows(answer["funnel"])
                )
                lines.append(f"{who} ({answer['funnel']['customers']:,}): {steps}")
        self.numbers.setText("\n".join(lines))

    def _fix(self, panel: str) -> None:
        if panel == "rollout":
            self.ensureWidgetVisible(self.pilot)
            self.pilot.name.setFocus()
            return
        self.ctx.open_panel(panel)
        if panel in rollout.FIX_SECTIONS:
            show_section(self.parentWidget(), rollout.FIX_SECTIONS[panel])

    # -- pilot group -----------------------------------------------------------------------

    def check_rule(self) -> asyncio.Task[Any]:
        """Ask how many customers the rule takes now (a newer check replaces an older)."""
        return self.ctx.ops.run(self._check(), label="Checking the pilot rule", key="pilot-match")

    async def _check(self) -> None:
        match = await rollout.pilot_match(self.ctx.api, self.pilot.rule())
        self.pilot.match.setText(rollout.match_text(match))
        self.pilot.save.setEnabled(
            not match.get("problem") and self.ctx.session.can(Permission.BULK_INVITE)
        )

    def save_group(self, name: str) -> asyncio.Task[Any] | None:
        """Save the rule's customers as a named group."""
        if not name:
            self.pilot.show_error("Give the group a name, for example “Spring pilot”.")
            self.pilot.name.setFocus()
            return None
        self.pilot.show_error(None)
        return self.ctx.ops.run(self._save(name), label=f"Saving the group {name}")

    async def _save(self, name: str) -> None:
        try:
            group = await rollout.create_group(self.ctx.api, name, self.pilot.rule())
        except ApiError as exc:
            if exc.status in (409, 422):
                self.pilot.show_error(exc.message)
                return
            raise
        self.group_id = int(group["id"])
        self.pilot.name.clear()
        self.pilot.batch_text.setText(
            f"Saved “{group['name']}” with {group['size']:,} customers. Invite them in "
            "batches below."
        )
        await self._load()

    def choose_group(self, group_id: int) -> None:
        """Follow another saved group in the charts."""
        self.group_id = group_id or None
        group = next((g for g in self.group_list if g["id"] == group_id), None)
        self.pilot.show_group(group)
        self.ctx.ops.run(
            self._group_charts(), label="Reading the group's funnel", key="rollout-group"
        )

    async def _group_charts(self) -> None:
        group = await rollout.adoption(self.ctx.api, self.group_id) if self.group_id else None
        self._show_charts(group)

    def invite_batch(self, group_id: int, size: int) -> asyncio.Task[Any] | None:
        """Invite the next batch of the chosen group."""
        if not group_id:
            self.pilot.batch_text.setText("Save a group first: a batch invites its next members.")
            return None
        return self.ctx.ops.run(self._batch(group_id, size), label="Inviting the next batch")

    async def _batch(self, group_id: int, size: int) -> None:
        try:
            answer = await rollout.invite_batch(self.ctx.api, group_id, size)
        except ApiError as exc:
            if exc.status == 409:
                self.pilot.batch_text.setText(exc.message)
                return
            raise
        counts = answer["counts"]
        sent = counts.get("invited", 0)
        other = {k: v for k, v in counts.items() if k != "invited"}
        text = f"{sent:,} invite{'s' if sent != 1 else ''} sent."
        if other:
            reasons = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in sorted(other.items()))
            text += f" Not invited: {reasons} (see Access for each customer)."
        text += f" {answer['remaining']:,} left in the group."
        self.pilot.batch_text.setText(text)
        await self._load()

    # -- going live ------------------------------------------------------------------------

    def ask_switch(self) -> asyncio.Task[Any]:
        """Re-read the checklist, then ask for confirmation of the switch."""
        return self.ctx.ops.run(
            self._ask(), label="Checking before the switch", key="rollout-switch"
        )

    async def _ask(self) -> None:
        ready = await rollout.readiness(self.ctx.api)
        self._show_readiness(ready)
        self.ready = ready
        if ready["portal_status"] == "active":
            everyone = await rollout.adoption(self.ctx.api)
            text = rollout.switch_back_confirmation(everyone["funnel"])
            target = "coming_soon"
        else:
            text = rollout.go_live_confirmation(ready, int(ready.get("held_invites", 0)))
            target = "active"
        self.dialog = ConfirmSwitchDialog(text, self)
        self.dialog.confirmed.connect(lambda ack: self.switch(target, ack))
        self.dialog.open()

    def switch(self, status: str, acknowledged: list[str]) -> asyncio.Task[Any]:
        """Switch the portal through the workspace settings."""
        label = "Opening the portal" if status == "active" else "Switching back to coming soon"
        return self.ctx.ops.run(self._switch(status, acknowledged), label=label)

    async def _switch(self, status: str, acknowledged: list[str]) -> None:
        await rollout.set_portal_status(self.ctx.api, status, acknowledged)
        if status == "active":
            # The server sends the held invites after answering: count them down here.
            label = "Sending held invites"
            await rollout.follow_held_invites(
                self.ctx.api, lambda sent, total: self.ctx.ops.progress(label, sent, total)
            )
        await self._load()
        # Last: the console rebuilds its panels for the new portal status when sync brings
        # the change, and this panel may be one of them.
        await self.ctx.sync.sync_now()
