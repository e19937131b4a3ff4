"""The Rollout panel in the console against a live server: from nothing ready to live."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from server.db.models import Workspace
from tests.ui.access_harness import seed
from tests.ui.shell_support import Shell, until
from ui.main_window import COMING_SOON_KEY
from ui.panels.rollout import RolloutPanel
from ui.panels.rollout.dialogs import ConfirmSwitchDialog

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path, memory_keyring):
    return Shell(qtbot, tmp_path)


async def _rollout(shell: Shell) -> RolloutPanel:
    shell.window.select_panel("rollout")
    panel = shell.window.panels["rollout"]
    assert isinstance(panel, RolloutPanel)
    await until(lambda: panel.ready is not None and panel.everyone is not None, 20)
    await until(lambda: not panel.ctx.ops.tasks, 20)
    return panel


async def _reload(panel: RolloutPanel) -> None:
    await panel.load()
    await until(lambda: not panel.ctx.ops.tasks, 20)


def _publish_visibility(c: httpx.Client) -> None:
    tag = c.get("/api/v1/visibility-policy").headers["etag"]
    r = c.put("/api/v1/visibility-policy/draft", json={}, headers={"If-Match": tag})
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text


def _fix_emails(c: httpx.Client) -> None:
    report = c.get("/api/v1/email-hygiene").json()
    bad = [i["contact_id"] for i in report["invalid"]["items"]]
    for group in report["shared"]["items"]:
        bad += [m["contact_id"] for m in group["contacts"][1:]]
    for n, contact_id in enumerate(bad):
        tag = c.get(f"/api/v1/contacts/{contact_id}").headers["etag"]
        r = c.patch(
            f"/api/v1/contacts/{contact_id}",
            json={"email": f"fixed{n}@example.com"},
            headers={"If-Match": tag},
        )
        assert r.status_code == 200, r.text


def _plan_team(c: httpx.Client) -> None:
    perms = c.get("/api/v1/team/permissions")
    roles: dict[str, Any] = dict(perms.json()["roles"])
    roles["dispatcher"] = [p for p in roles["dispatcher"] if p != "disable"]
    r = c.put(
        "/api/v1/team/permissions",
        json={"roles": roles},
        headers={"If-Match": perms.headers["etag"]},
    )
    assert r.status_code == 200, r.text


async def test_rollout_from_nothing_ready_to_live_and_back(shell, coming_soon_ws, live):
    ws = coming_soon_ws
    seed(ws)
    owner = ws.client("owner")
    await shell.open(ws, "owner")
    w = shell.window
    placeholder = w.panels[COMING_SOON_KEY]
    assert placeholder.buttons["rollout"].isEnabled() and placeholder.buttons["team"].isEnabled()
    panel = await _rollout(shell)

    # Nothing ready: four required items open, each with its numbers and a way to fix it.
    assert panel.ready is not None and panel.ready["open_blocking"] == [
        "emails",
        "visibility",
        "branding",
        "team",
    ]
    assert "Still open before going live: 4" in panel.summary.text()
    assert panel.status.text() == "Coming soon"
    assert panel.checklist.buttons["emails"].isEnabled()
    # Every fix button leads to a real panel (panels are built when first opened).
    for key, button in panel.checklist.buttons.items():
        assert button.isEnabled() and not button.toolTip(), key
    panel.checklist.buttons["team"].click()
    assert w.current_panel_key() == "team"
    w.select_panel("rollout")
    await until(lambda: "customers match" in panel.pilot.match.text(), 20)
    shell.screenshot("rollout-nothing-ready")
    shell.screenshot("rollout-nothing-ready-full", panel.widget())

    # A pilot rule that takes nobody says so, and cannot be saved.
    panel.pilot.months.setValue(1)
    panel.pilot.min_jobs.setValue(5)
    await until(lambda: "matches no customers" in panel.pilot.match.text(), 20)
    assert not panel.pilot.save.isEnabled()
    panel.pilot.months.setValue(12)
    panel.pilot.min_jobs.setValue(2)
    await until(lambda: "5 of 15 customers match" in panel.pilot.match.text(), 20)
    assert panel.save_group("") is None and "Give the group a name" in panel.pilot.form_error.text()
    panel.pilot.name.setText("Spring pilot")
    await panel.save_group("Spring pilot")
    await until(lambda: not panel.ctx.ops.tasks, 20)
    assert [g["name"] for g in panel.group_list] == ["Spring pilot"]
    await panel.save_group("Spring pilot")
    assert "already a group" in panel.pilot.form_error.text()
    await panel.invite_batch(panel.group_list[0]["id"], 3)
    await until(lambda: not panel.ctx.ops.tasks, 20)
    assert "3 invites sent" in panel.pilot.batch_text.text()
    assert "2 left in the group" in panel.pilot.batch_text.text()
    _publish_visibility(ws.client("manager"))
    await _reload(panel)
    assert panel.ready["open_blocking"] == ["emails", "branding", "team"]
    assert panel.funnel.values["Spring pilot"][0] == pytest.approx(60.0)
    assert "Pilot invited" in panel.adoption.series
    shell.screenshot("rollout-halfway")
    shell.screenshot("rollout-halfway-pilot", panel.widget())

    # Going live with items open: each must be ticked before the button works.
    await panel.ask_switch()
    await until(lambda: isinstance(panel.dialog, ConfirmSwitchDialog), 20)
    dialog = panel.dialog
    assert set(dialog.ticks) == {"emails", "branding", "team"}
    assert not dialog.ok.isEnabled() and "Tick first" in dialog.ok.toolTip()
    shell.screenshot("rollout-go-live-confirm", dialog)
    dialog.reject()

    _fix_emails(owner)
    _plan_team(owner)
    with live.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        row.branding = {"brand_name": "Acme Heating", "logo_file_id": 1, "phone": "555 0100"}
        s.commit()
    await _reload(panel)
    assert panel.ready["open_blocking"] == []
    assert "you can go live" in panel.summary.text()
    shell.screenshot("rollout-all-ready")

    await panel.ask_switch()
    await until(
        lambda: isinstance(panel.dialog, ConfirmSwitchDialog) and panel.dialog is not dialog, 20
    )
    assert panel.dialog.ok.isEnabled() and not panel.dialog.ticks
    said = " ".join(label.text() for label in panel.dialog.findChildren(type(panel.summary)))
    assert "3 invites were held" in said  # the pilot batch, sent while coming soon
    shell.screenshot("rollout-go-live-ready-confirm", panel.dialog)
    panel.dialog.ok.click()
    await until(lambda: w.context is not None and w.context.session.portal_active, 30)
    assert owner.get("/api/v1/workspace").json()["portal_status"] == "active"
    assert COMING_SOON_KEY not in w.panels
    live_panel = await _rollout(shell)
    assert live_panel.status.text().startswith("Live")
    assert live_panel.switch_button.text().startswith("Switch back")
    shell.screenshot("rollout-live")
    shell.screenshot("rollout-live-full", live_panel.widget())

    # Switching back spells out what happens to signed-in customers.
    await live_panel.ask_switch()
    await until(lambda: isinstance(live_panel.dialog, ConfirmSwitchDialog), 20)
    text = " ".join(
        label.text() for label in live_panel.dialog.findChildren(type(live_panel.summary))
    )
    assert "coming soon" in text and "stay signed in" in text
    live_panel.dialog.ok.click()
    await until(lambda: w.context is not None and not w.context.session.portal_active, 30)
    await shell.close()


async def test_who_lacks_permissions_sees_why(shell, coming_soon_ws):
    seed(coming_soon_ws)
    await shell.open(coming_soon_ws, "dispatcher")
    panel = await _rollout(shell)
    for widget, name in (
        (panel.switch_button, "edit_workspace"),
        (panel.pilot.save, "bulk_invite"),
        (panel.pilot.invite, "bulk_invite"),
    ):
        assert not widget.isEnabled()
        assert f"({name})" in widget.toolTip() and "dispatcher" in widget.toolTip()
    # Team is the owner's: its checklist button says why it cannot open.
    team_button = panel.checklist.buttons["team"]
    assert not team_button.isEnabled() and "cannot use Team" in team_button.toolTip()
    shell.window.setMinimumWidth(0)
    shell.window.resize(860, 760)
    await until(lambda: panel.columns.direction().name == "TopToBottom", 5)
    shell.screenshot("rollout-dispatcher-narrow")
    shell.screenshot("rollout-dispatcher-narrow-full", panel.widget())
    await shell.close()


async def test_checklist_shows_before_the_charts_arrive(shell, coming_soon_ws, monkeypatch):
    """Each answer is shown as it arrives: a slow funnel holds back neither the checklist nor
    the group list, and the chart area says what it is waiting for."""
    from app import rollout

    seed(coming_soon_ws)
    release = asyncio.Event()
    asked: list[object] = []
    plain = rollout.adoption

    async def slow_adoption(api: Any, group_id: int | None = None) -> dict[str, Any]:
        asked.append(group_id)
        await release.wait()
        return await plain(api, group_id)

    monkeypatch.setattr(rollout, "adoption", slow_adoption)
    await shell.open(coming_soon_ws, "owner")
    shell.window.select_panel("rollout")
    panel = shell.window.panels["rollout"]
    assert isinstance(panel, RolloutPanel)
    await until(lambda: panel.ready is not None, 20)
    assert "items ready" in panel.summary.text() and panel.checklist.cards
    assert panel.funnel is None and panel.charts_waiting.isVisible()
    assert asked == [None]  # everyone's funnel asked at once, beside the checklist
    await asyncio.sleep(0.5)
    shell.screenshot("rollout-loading", panel.widget())
    release.set()
    await until(lambda: panel.funnel is not None and panel.everyone is not None, 20)
    assert not panel.charts_waiting.isVisible() and panel.adoption is not None
    await until(lambda: not panel.ctx.ops.tasks, 20)
    await shell.close()
