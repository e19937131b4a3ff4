"""The console shell against a live server: workspace, roles, sign-in, offline, expiry, close."""

import asyncio

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from app import known_sessions
from app.errors import ApiError
from server.wire.permissions import Permission
from tests.support.live_server import free_port
from tests.support.workspaces import PASSWORD
from tests.ui.shell_support import Shell, until
from ui import panels
from ui.main_window import COMING_SOON_KEY
from ui.panels import PanelSpec
from ui.panels.coming_soon import ComingSoonPanel

pytestmark = pytest.mark.asyncio


def sidebar(window):
    items = [window.sidebar.item(i) for i in range(window.sidebar.count())]
    return {
        i.data(Qt.ItemDataRole.UserRole): (bool(i.flags() & Qt.ItemFlag.ItemIsEnabled), i.toolTip())
        for i in items
    }


@pytest.fixture
def shell(qtbot, tmp_path):
    return Shell(qtbot, tmp_path)


async def test_main_window_shows_workspace_person_role_and_sync(shell, ws, qtbot):
    await shell.open(ws, "manager")
    w = shell.window
    assert w.person_label.text() == "Manager · manager"
    assert w.server_label.text() == ws.base_url
    assert w.sync_label.text().startswith("Up to date")
    assert "access" in w.panels and w.current_panel_key() == "access"
    assert COMING_SOON_KEY not in w.panels
    assert w.open_portal_action.isEnabled() and w.sign_out_action.isEnabled()
    assert w.quit_action.shortcut().toString() == "Ctrl+Q"
    assert w.connect_action.shortcut().toString() == "Ctrl+Shift+O"
    ModelTester(qtbot).check(w.sidebar.model())
    shell.screenshot("main-window")
    await shell.close()


async def test_coming_soon_placeholder_lists_what_can_be_prepared(shell, coming_soon_ws):
    await shell.open(coming_soon_ws, "owner")
    w = shell.window
    assert w.current_panel_key() == COMING_SOON_KEY
    page = w.panels[COMING_SOON_KEY]
    assert isinstance(page, ComingSoonPanel)
    # Access (email clean-up) stays useful; panels that do not exist yet say so.
    assert page.buttons["access"].isEnabled()
    for key in ("rollout", "team"):
        assert page.buttons[key].isEnabled(), key
    # Every pointer leads to a real panel, or says plainly that it is not available yet.
    for key, button in page.buttons.items():
        why = w.panel_unavailable(key)
        assert button.isEnabled() == (why is None), key
        if why is not None:
            assert button.toolTip() == why and page.notes[key].text() == why, key
    assert "workspace settings" not in page.footer.text()
    assert "Rollout" in page.footer.text()
    page.buttons["access"].click()
    assert w.current_panel_key() == "access"
    w.select_panel(COMING_SOON_KEY)
    shell.screenshot("coming-soon")
    await shell.close()


async def test_a_panel_the_role_may_not_use_is_disabled_with_the_reason(shell, ws, monkeypatch):
    built = []
    spec = PanelSpec(
        "team", "Team", "team", lambda ctx: built.append(ctx) or None, True, Permission.MANAGE_TEAM
    )
    monkeypatch.setattr(panels, "PANELS", [*panels.PANELS, spec])
    monkeypatch.setattr("ui.main_window.PANELS", panels.PANELS)
    await shell.open(ws, "dispatcher")
    enabled, tip = sidebar(shell.window)["team"]
    assert not enabled and "dispatcher" in tip and "cannot use Team" in tip
    assert built == []
    await shell.close()


async def test_forbidden_action_is_shown_plainly(shell, ws):
    await shell.open(ws, "dispatcher")
    c = shell.console
    task = c.ops.run(c.api.request("GET", "/api/v1/team"), label="Team")
    await task
    banner = shell.window.message_banner
    assert banner.isVisible() and banner.text.text().startswith("Not allowed:")
    assert "Traceback" not in banner.text.text()
    await shell.close()


async def test_sign_in_dialog_remembers_the_token_in_keyring_not_the_password(
    shell, ws, memory_keyring
):
    c = shell.console
    task = c.ops.run(c.connect_interactive(ws.base_url, ws.emails["owner"]), label="Connect")
    await until(lambda: c._dialog is not None and c._dialog.isVisible())
    dialog = c._dialog
    dialog.password.setText("wrong password")
    dialog.ok_button.click()
    await until(lambda: dialog.error.isVisible())
    assert "password" in dialog.error.text().lower() and dialog.isVisible()
    shell.screenshot("sign-in-dialog", dialog)
    dialog.password.setText(PASSWORD)
    dialog.ok_button.click()
    await task
    assert c.session is not None and c.session.email == ws.emails["owner"]
    stored = list(memory_keyring.secrets.items())
    assert len(stored) == 1 and stored[0][0][1] == ws.emails["owner"]
    assert PASSWORD not in stored[0][1] and stored[0][1] == c.api.token
    assert PASSWORD not in shell.config.path.read_text()
    assert shell.config.server_url == ws.base_url
    await shell.close()


async def test_sign_out_revokes_the_token_and_forgets_it(shell, ws, memory_keyring):
    c = shell.console
    c.credentials.save(ws.base_url, ws.emails["owner"], ws.tokens["owner"])
    await shell.open(ws, "owner")
    token = c.api.token
    cache_file = c.session.cache_file
    assert known_sessions.recall(ws.base_url, ws.emails["owner"]) is not None
    c.ops.run(c.sign_out(), label="Sign out")
    await until(lambda: c._sign_out_dialog is not None and c._sign_out_dialog.isVisible())
    asking = c._sign_out_dialog
    assert asking.remove.isChecked()  # a remote server's data goes by default
    shell.screenshot("sign-out-dialog", asking)
    asking.sign_out_button.click()
    await until(lambda: c._dialog is not None)
    page = shell.window.start_page
    # No endless busy bar under "Signed out.": the page says what happened to the data.
    assert not page.bar.isVisible() and "removed from this computer" in page.message.text()
    shell.screenshot("signed-out")
    c._dialog.reject()
    await until(lambda: not c.ops.tasks)
    assert memory_keyring.secrets == {} and c.session is None
    assert not cache_file.exists() and not cache_file.with_name(cache_file.name + "-wal").exists()
    assert known_sessions.recall(ws.base_url, ws.emails["owner"]) is None
    assert page.primary.isVisible() and not page.bar.isVisible()
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{ws.base_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
    assert r.status_code == 401
    assert shell.window.start_page.isVisible()
    await shell.close()


async def test_expired_token_asks_to_sign_in_and_keeps_the_panel(shell, ws):
    await shell.open(ws, "owner")
    c, w = shell.console, shell.window
    w.select_panel("access")
    panel = w.panels["access"]
    async with httpx.AsyncClient() as http:  # the token is revoked behind the console's back
        await http.delete(
            f"{ws.base_url}/api/v1/auth/token",
            headers={"Authorization": f"Bearer {ws.tokens['owner']}"},
        )
    c.sync_now()
    await until(lambda: c._dialog is not None and c._dialog.isVisible())
    assert "expired" in c._dialog.findChild(type(w.sync_label)).text().lower()
    c._dialog.password.setText(PASSWORD)
    c._dialog.ok_button.click()
    await until(lambda: c._dialog is None)
    await until(lambda: w.sync_label.text().startswith("Up to date"))
    assert w.panels["access"] is panel and w.current_panel_key() == "access"
    assert c.api.token != ws.tokens["owner"]
    await shell.close()


async def test_offline_banner_keeps_cached_data_and_reconnects(shell, live, ws):
    from tests.support.console_server import add_customers

    add_customers(live.sessionmaker, ws.id, 40)
    await shell.open(ws, "owner")
    c, w = shell.console, shell.window
    assert c.cache.customer_count() == 40
    await until(lambda: w.panels["access"].model.rowCount() == 40)
    c.api.base_url = f"http://127.0.0.1:{free_port()}"  # the network drops
    c.sync_now()
    await until(lambda: w.offline_banner.isVisible())
    assert "Offline" in w.offline_banner.text.text()
    assert "Retry now" in w.offline_banner.buttons
    assert w.sync_label.text().startswith("Offline")
    assert "Last heard from the server at" in w.offline_banner.text.text()
    assert c.cache.customer_count() == 40  # cached data stays readable
    assert w.panels["access"].model.rowCount() == 40
    with pytest.raises(ApiError) as err:
        await c.api.request("POST", "/api/v1/contacts/1/portal-invite")
    assert "cannot reach" in err.value.message.lower()
    shell.screenshot("offline-banner")
    c.api.base_url = ws.base_url  # ...and comes back
    await until(lambda: not w.offline_banner.isVisible(), within=15)
    # An action that fails offline while sync thought all was well shows the banner too,
    # and it goes away by itself once the server answers again.
    c.sync.interval = 600  # sync would not notice by itself during this test
    await asyncio.sleep(0.5)
    c.ops.run(c.api.request("GET", "/api/v1/auth/me", headers={}), label="Check")
    c.api.base_url = f"http://127.0.0.1:{free_port()}"
    await until(lambda: w.offline_banner.isVisible(), within=3)
    c.api.base_url = ws.base_url
    await until(lambda: not w.offline_banner.isVisible(), within=15)
    c.api.base_url = ws.base_url  # ...and comes back
    await until(lambda: not w.offline_banner.isVisible(), within=15)
    assert w.sync_label.text().startswith("Up to date")
    await shell.close()


async def test_closing_cancels_work_in_flight(shell, ws):
    await shell.open(ws, "owner")
    c = shell.console
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(60)

    task = c.ops.run(slow(), label="Slow", cancellable=True)
    await started.wait()
    sync = c.sync
    await asyncio.wait_for(shell.close(), 10)
    assert task.cancelled() and not sync.running and c.ops.tasks == set()


async def test_newer_task_with_the_same_key_cancels_the_older(shell):
    ops = shell.console.ops
    first = ops.run(asyncio.sleep(60), label="Search", key="search")
    second = ops.run(asyncio.sleep(0), label="Search", key="search")
    await second
    await asyncio.sleep(0)
    assert first.cancelled()
    await shell.close()


async def test_no_server_configured_opens_the_seeded_local_workspace(shell):
    c, w = shell.console, shell.window
    shell.config.set("local_demo_customers", 30)
    await c.start(None)
    await until(lambda: c.last_sync is not None, within=60)
    assert c.is_local and c.session.role == "owner"
    assert w.server_label.text() == "Local workspace"
    assert not w.sign_out_action.isEnabled() and "by itself" in w.sign_out_action.toolTip()
    assert c.cache.customer_count() == 30
    assert c.session.portal_url.startswith(c.local.url)
    pid = c.local.process.pid
    await shell.close()
    assert c.local.process is None
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)


async def test_a_local_server_that_dies_is_reported_and_can_be_restarted(shell):
    import os
    import signal

    c, w = shell.console, shell.window
    shell.config.set("local_demo_customers", 30)
    await c.start(None)
    await until(lambda: c.last_sync is not None, within=60)
    panel = w.panels["access"]
    os.kill(c.local.process.pid, signal.SIGKILL)
    await until(lambda: w.server_banner.isVisible())
    assert "stopped unexpectedly" in w.server_banner.text.text()
    assert c.cache.customer_count() == 30  # what it last saw stays readable
    w.server_banner.buttons["Restart it"].click()
    await until(lambda: not w.server_banner.isVisible(), within=60)
    assert c.local.alive and w.panels["access"] is panel
    c.last_sync = None
    c.sync_now()
    await until(lambda: c.last_sync is not None, within=30)
    await shell.close()


async def test_a_remembered_sign_in_opens_without_asking(shell, ws, memory_keyring):
    c = shell.console
    shell.config.set("server_url", ws.base_url)
    shell.config.set("last_email", ws.emails["manager"])
    c.credentials.save(ws.base_url, ws.emails["manager"], ws.tokens["manager"])
    await c.start(None)
    assert c._dialog is None and c.session.role == "manager"
    await shell.close()


async def test_a_stale_remembered_token_is_forgotten_and_the_dialog_asks(shell, ws, memory_keyring):
    c = shell.console
    shell.config.set("last_email", ws.emails["owner"])
    c.credentials.save(ws.base_url, ws.emails["owner"], "revoked-long-ago")
    task = c.ops.run(c.start(ws.base_url), label="Start")
    await until(lambda: c._dialog is not None and c._dialog.isVisible())
    assert c._dialog.url.text() == ws.base_url and c._dialog.email.text() == ws.emails["owner"]
    assert memory_keyring.secrets == {}
    c._dialog.reject()
    await task
    assert c.session is None and shell.window.start_page.primary.isVisible()
    await shell.close()


async def test_open_portal_and_about(shell, ws, monkeypatch):
    from app import log_files

    opened = []
    monkeypatch.setattr(
        "ui.dialogs.portal_address.QDesktopServices.openUrl",
        lambda url: opened.append(url) or True,
    )
    await shell.open(ws, "owner")
    shell.window.open_portal_action.trigger()
    assert [u.toString() for u in opened] == [f"{ws.base_url}/p/{ws.slug}/"]
    await shell.console.show_about()
    text = shell.console._about.text.text()
    assert str(log_files.log_file()) in text and "PySide6" in text and ws.base_url in text
    await shell.close()


async def test_a_second_local_start_shows_the_cache_and_waits_for_the_server_quietly(
    qtbot, tmp_path
):
    first = Shell(qtbot, tmp_path / "first")
    first.config.set("local_demo_customers", 30)
    await first.console.start(None)
    await until(lambda: first.console.last_sync is not None, within=60)
    await first.close()

    second = Shell(qtbot, tmp_path / "second")
    c, w = second.console, second.window
    failures = []
    c.ops.failed.connect(lambda message, _retry: failures.append(message))
    starting = asyncio.ensure_future(c.start(None))
    # The remembered workspace opens from its cache while its server starts; what the panels
    # ask meanwhile waits for the server instead of failing as unreachable.
    await until(lambda: c.cache is not None, within=30)
    assert c.cache.customer_count() == 30
    files = next(i for i in range(w.sidebar.count()) if "File review" in w.sidebar.item(i).text())
    w.sidebar.setCurrentRow(files)
    await asyncio.wait_for(starting, 60)
    await until(lambda: not c.ops.tasks, within=30)
    assert failures == []
    assert not w.message_banner.isVisible() and not w.offline_banner.isVisible()
    await second.close()
