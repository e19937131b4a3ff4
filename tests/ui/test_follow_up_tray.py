"""Desktop notifications from the console: new items once, never again after a resync or a
restart, clicking opens the item (done elsewhere: it says by whom), and the settings say
plainly that an offscreen desktop has no tray."""

from __future__ import annotations

import pytest

from tests.ui.follow_up_support import (
    approve,
    open_panel,
    portal_customer,
    shot,
    sidebar_text,
)
from tests.ui.shell_support import Shell, until
from ui.panels.follow_up_watch import FollowUpWatch, tray_available
from ui.panels.settings import SettingsPanel
from ui.panels.settings.notifications import NO_TRAY

pytestmark = pytest.mark.asyncio


def _watch(shell: Shell) -> FollowUpWatch:
    found = [w for w in shell.window.findChildren(FollowUpWatch) if w.ctx is shell.window.context]
    assert len(found) == 1
    return found[0]


async def test_notified_once_across_resync_and_restart(qtbot, tmp_path, memory_keyring, ws, live):
    shell = Shell(qtbot, tmp_path)
    await shell.open(ws, "dispatcher")
    watch = _watch(shell)
    assert not tray_available() and watch.tray is None  # offscreen: no notification area
    customer, browser = portal_customer(live, ws)
    approve(browser, customer.ids["quote"])
    await until(lambda: len(watch.shown) == 1, 15)
    note = watch.shown[0]
    assert note.title == "Quote approved" and "approved by Dana Whitfield" in note.message
    await until(lambda: sidebar_text(shell) == "Follow-up (1)", 10)

    # Handled elsewhere before anyone clicks: opening it says who did it and when.
    manager = ws.client("manager")
    current = manager.get(f"/api/v1/follow-ups/{note.item_id}")
    r = manager.patch(
        f"/api/v1/follow-ups/{note.item_id}",
        json={"state": "done", "note": "Booked the work for Monday"},
        headers={"If-Match": current.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    await until(lambda: sidebar_text(shell) == "Follow-up", 10)
    watch.open(note.item_id)
    panel = await open_panel(shell)
    await until(lambda: panel.shown_id == note.item_id, 10)
    assert panel.detail.holder.text().startswith("Done by Manager at ")
    assert "Booked the work for Monday" in panel.detail.holder.text()
    assert panel.filters.state.currentData() is None  # shown though "Open" was chosen
    await shot(shell, "follow-up-notification-opened-done")

    # A resync replays every change: no duplicate rows, nothing notified again.
    engine = shell.console.sync
    await engine.stop()
    shell.window.context.cache.begin_resync()
    await engine.sync_now()
    engine.start()
    await until(lambda: not watch._pending and not (watch.running and not watch.running.done()))
    assert len(watch.shown) == 1
    assert len(panel.model.index_) == 1
    await shell.close()

    # A restart on the same computer: the old item is not news; a new one is.
    again = Shell(qtbot, tmp_path)
    await again.open(ws, "dispatcher")
    second = _watch(again)
    other, other_browser = portal_customer(live, ws)
    approve(other_browser, other.ids["quote"])
    await until(lambda: len(second.shown) == 1, 15)
    assert second.shown[0].item_id not in (None, note.item_id)
    assert (
        other.customer_id
        == again.window.context.cache.get_record("follow_up", second.shown[0].item_id)[
            "customer_id"
        ]
    )
    await again.close()


async def test_settings_say_there_is_no_tray_and_check_quiet_hours(
    qtbot, tmp_path, memory_keyring, ws
):
    shell = Shell(qtbot, tmp_path)
    await shell.open(ws, "dispatcher")
    shell.window.select_panel("settings")
    panel = shell.window.panels["settings"]
    assert isinstance(panel, SettingsPanel)
    card = panel.notifications
    assert card.tray_note.text() == NO_TRAY and card.tray_note.isVisible()
    card.kinds["mail_failed"].setChecked(True)
    card.quiet_start.setText("10pm")
    card.quiet_end.setText("07:00")
    assert not card.save_choices()
    assert "HH:MM" in card.error.text()
    await shot(shell, "follow-up-settings-error")
    card.quiet_start.setText("22:00")
    card.quiet_end.setText("")
    assert not card.save_choices() and "both ends" in card.error.text()
    card.quiet_end.setText("07:00")
    assert card.save_choices()
    assert shell.config.get("quiet_hours_start") == "22:00"
    assert "mail_failed" in shell.config.get("notify_kinds")
    await shot(shell, "follow-up-settings")
    await shell.close()
