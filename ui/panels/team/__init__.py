"""The Team panel: members (invite, role, switch off) and the permission table per role.

This module wires the views to ``app.team`` coroutines through ``Operations``; the views
only lay out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app import team
from app.errors import ApiError
from server.wire.permissions import Permission
from ui.context import PanelContext
from ui.panels.team.dialogs import InviteLinkDialog, InviteMemberDialog
from ui.panels.team.views import MembersView, PermissionsView

STALE = (
    "Another owner saved the permission table after you opened it, so yours was not saved. "
    "Press Reload to see their changes, then make yours again."
)


class TeamPanel(QWidget):
    """Who is in the office team, what each role may do, and changes to both."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: Any = None
        self.etag = ""
        self.loading: asyncio.Task[Any] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        title = QLabel("Team")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.members = MembersView()
        self.permissions = PermissionsView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.members, "Members")
        self.tabs.addTab(self.permissions, "Permissions")
        layout.addWidget(self.tabs, 1)
        self.members.invite_requested.connect(self.ask_invite)
        self.members.role_requested.connect(self.change_role)
        self.members.active_requested.connect(self.set_active)
        self.members.resend_requested.connect(self.resend)
        self.permissions.save_requested.connect(self.save_permissions)
        self.permissions.reload_requested.connect(self.load)
        if not ctx.session.can(Permission.MANAGE_TEAM):
            tip = team.why_not("manage_team", ctx.session.role)
            self.members.disallow(tip)
            self.permissions.disallow(tip)
            self.members.message.setText(tip)
            return  # the server would refuse the list too
        QTimer.singleShot(0, self.load)

    def load(self) -> asyncio.Task[Any]:
        """Read the members and the permission table."""
        self.loading = self.ctx.ops.run(self._load(), label="Reading the team", key="team-load")
        return self.loading

    async def _load(self) -> None:
        people, (doc, etag) = await asyncio.gather(
            team.members(self.ctx.api), team.permissions(self.ctx.api)
        )
        self.members.show_members(people)
        self.permissions.show_doc(doc)
        self.etag = etag
        self.permissions.message.setText("")

    # -- members ---------------------------------------------------------------------------

    def ask_invite(self) -> None:
        """The invite dialog; it stays open to show what was wrong."""
        self.dialog = InviteMemberDialog(self)
        self.dialog.confirmed.connect(
            lambda email, name, role: self.ctx.ops.run(
                self._invite(email, name, role), label=f"Inviting {email}"
            )
        )
        self.dialog.open()

    async def _invite(self, email: str, name: str, role: str) -> None:
        form = self.dialog
        try:
            answer = await team.invite_member(self.ctx.api, email, name, role)
        except ApiError as exc:
            if exc.status in (409, 422) and isinstance(form, InviteMemberDialog):
                form.show_error(exc.message)
                return
            raise
        if isinstance(form, InviteMemberDialog):
            form.accept()
        self.dialog = InviteLinkDialog(answer, self)
        self.dialog.open()
        await self._load()

    def change_role(self, member_id: int, role: str) -> asyncio.Task[Any] | None:
        """Change a member's role (the last active owner stays an owner)."""
        problem = team.last_owner_problem(self.members.members, member_id, role, None)
        if problem:
            self.members.message.setText(problem)
            return None
        return self.ctx.ops.run(
            self._update(member_id, f"Role changed to {role}.", role=role), label="Changing role"
        )

    def set_active(self, member_id: int, active: bool) -> asyncio.Task[Any] | None:
        """Switch a member off (signed out at once; an invite is withdrawn) or on again."""
        problem = team.last_owner_problem(self.members.members, member_id, None, active)
        if problem:
            self.members.message.setText(problem)
            return None
        done = "Switched on again." if active else "Switched off: their sign-ins ended at once."
        return self.ctx.ops.run(
            self._update(member_id, done, active=active), label="Changing access"
        )

    async def _update(self, member_id: int, done: str, **changes: Any) -> None:
        try:
            member = await team.update_member(self.ctx.api, member_id, **changes)
        except ApiError as exc:
            if exc.status == 409:
                self.members.message.setText(exc.message)
                return
            raise
        self.members.message.setText(f"{member['name']}: {done}")
        await self._load()

    def resend(self, member_id: int) -> asyncio.Task[Any]:
        """A fresh invite link for someone who has not joined."""
        return self.ctx.ops.run(self._resend(member_id), label="Sending a new link")

    async def _resend(self, member_id: int) -> None:
        try:
            answer = await team.resend_invite(self.ctx.api, member_id)
        except ApiError as exc:
            if exc.status == 409:
                self.members.message.setText(exc.message)
                return
            raise
        self.dialog = InviteLinkDialog(answer, self)
        self.dialog.open()
        await self._load()

    # -- permissions -----------------------------------------------------------------------

    def save_permissions(self) -> asyncio.Task[Any] | None:
        """Save the ticked table, based on the version it was read at."""
        changed = team.changed_roles(
            self.permissions.doc.get("roles", {}), self.permissions.edited()
        )
        if not changed:
            self.permissions.message.setText("Nothing changed.")
            return None
        return self.ctx.ops.run(self._save(changed), label="Saving permissions")

    async def _save(self, changed: dict[str, list[str]]) -> None:
        try:
            doc, etag = await team.save_permissions(self.ctx.api, self.etag, changed)
        except ApiError as exc:
            if exc.status == 412:
                self.permissions.message.setText(STALE)
                return
            if exc.status == 422:
                self.permissions.message.setText(exc.message)
                return
            raise
        self.permissions.show_doc(doc)
        self.etag = etag
        self.permissions.message.setText("Saved. The team has the new permissions now.")
