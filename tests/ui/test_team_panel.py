"""The Team panel in the console against a live server: invites, roles, the permission table."""

from __future__ import annotations

import pytest

from tests.ui.shell_support import Shell, until
from ui.panels.team import STALE, TeamPanel
from ui.panels.team.dialogs import InviteLinkDialog, InviteMemberDialog

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path, memory_keyring):
    return Shell(qtbot, tmp_path)


async def _team(shell: Shell) -> TeamPanel:
    shell.window.select_panel("team")
    panel = shell.window.panels["team"]
    assert isinstance(panel, TeamPanel)
    await until(lambda: panel.members.table.rowCount() > 0 and panel.etag, 20)
    await until(lambda: not panel.ctx.ops.tasks, 20)
    return panel


async def _settled(panel: TeamPanel) -> None:
    await until(lambda: not panel.ctx.ops.tasks, 20)


def _select(panel: TeamPanel, email: str) -> None:
    row = next(i for i, m in enumerate(panel.members.members) if m["email"] == email)
    panel.members.table.selectRow(row)


async def test_team_members_invite_roles_and_last_owner(shell, ws):
    await shell.open(ws, "owner")
    panel = await _team(shell)
    assert panel.members.table.rowCount() == 3

    # Invite: a member already in the team is refused in the dialog, which stays open.
    panel.members.invite.click()
    dialog = panel.dialog
    assert isinstance(dialog, InviteMemberDialog)
    assert not dialog.findChildren(type(dialog.email), "password")
    dialog.email.setText(ws.emails["manager"])
    dialog.name.setText("Manager Again")
    dialog.ok.click()
    await _settled(panel)
    assert "already in your team as manager" in dialog.error.text() and dialog.isVisible()
    shell.screenshot("team-invite-error", dialog)
    dialog.email.setText(f"newbie@{ws.slug}.example.com")
    dialog.name.setText("Nia Newbie")
    dialog.ok.click()
    await _settled(panel)
    link = panel.dialog
    assert isinstance(link, InviteLinkDialog) and "/staff/join/" in link.link.text()
    link.reject()
    statuses = {m["email"]: m["status"] for m in panel.members.members}
    assert statuses[f"newbie@{ws.slug}.example.com"] == "invited"

    # The last owner cannot be demoted or switched off; the console says why.
    _select(panel, ws.emails["owner"])
    panel.members.role.setCurrentIndex(panel.members.role.findData("manager"))
    panel.members.change_role.click()
    assert "always keeps at least one active owner" in panel.members.message.text()
    _select(panel, ws.emails["dispatcher"])
    panel.members.role.setCurrentIndex(panel.members.role.findData("manager"))
    panel.members.change_role.click()
    await _settled(panel)
    roles = {m["email"]: m["role"] for m in panel.members.members}
    assert roles[ws.emails["dispatcher"]] == "manager"
    _select(panel, ws.emails["manager"])
    panel.members.switch.click()
    await _settled(panel)
    assert "sign-ins ended at once" in panel.members.message.text()
    r = ws.client("manager").get("/api/v1/auth/me")
    assert r.status_code == 401  # their token ended at once
    shell.screenshot("team-full")
    shell.window.setMinimumWidth(0)
    shell.window.resize(760, 600)
    await until(lambda: shell.window.width() <= 800, 5)
    shell.screenshot("team-narrow")
    await shell.close()


async def test_two_owners_editing_permissions_at_once(shell, ws):
    await shell.open(ws, "owner")
    panel = await _team(shell)
    panel.tabs.setCurrentWidget(panel.permissions)
    table = panel.permissions.table
    names = [table.item(r, 0).data(256) for r in range(table.rowCount())]
    floor = table.item(names.index("manage_team"), 0)
    assert (
        not (floor.flags() & floor.flags().ItemIsEnabled) and "lock itself out" in floor.toolTip()
    )
    # Another owner saves first.
    other = ws.client("owner")
    perms = other.get("/api/v1/team/permissions")
    roles = dict(perms.json()["roles"])
    roles["dispatcher"] = [*roles["dispatcher"], "bulk_invite"]
    saved = other.put(
        "/api/v1/team/permissions",
        json={"roles": roles},
        headers={"If-Match": perms.headers["etag"]},
    )
    assert saved.status_code == 200
    row = names.index("unlock")
    item = table.item(row, 2)
    item.setCheckState(item.checkState().Unchecked)
    assert panel.permissions.save.isEnabled()
    panel.permissions.save.click()
    await _settled(panel)
    assert panel.permissions.message.text() == STALE
    shell.screenshot("team-permissions-stale")
    after = other.get("/api/v1/team/permissions").json()["roles"]["dispatcher"]
    assert "unlock" in after and "bulk_invite" in after  # nothing half-done
    panel.permissions.reload.click()
    await _settled(panel)
    item = panel.permissions.table.item(row, 2)
    item.setCheckState(item.checkState().Unchecked)
    panel.permissions.save.click()
    await _settled(panel)
    assert panel.permissions.message.text().startswith("Saved")
    assert "unlock" not in other.get("/api/v1/team/permissions").json()["roles"]["dispatcher"]
    await shell.close()


async def test_without_manage_team_every_action_names_the_permission(shell, ws):
    # A manager who may see the team panel only because an owner allowed it, then lost it.
    await shell.open(ws, "manager")
    enabled = {
        shell.window.sidebar.item(i).data(256): shell.window.sidebar.item(i)
        for i in range(shell.window.sidebar.count())
    }
    assert "manage_team" not in {p for p in shell.window.context.session.permissions}
    item = enabled["team"]
    assert not (item.flags() & item.flags().ItemIsEnabled)
    panel = TeamPanel(shell.window.context)
    for widget in (panel.members.invite, panel.members.change_role, panel.permissions.save):
        assert not widget.isEnabled() and "(manage_team)" in widget.toolTip()
    panel.deleteLater()
    await shell.close()
