"""A workspace's life in the console: panels built when opened and kept, a start from the
cache (also with the server down), server errors that are not "offline", a detail that
reloads when the server is back."""

import asyncio

import httpx
import pytest

from app import known_sessions
from app.api_client import ApiClient
from server.wire.rollout import BLOCKING_ITEMS
from tests.support.console_server import add_customers
from tests.support.live_server import free_port
from tests.ui.shell_support import Shell, until
from ui import panels
from ui.main_window import COMING_SOON_KEY
from ui.panels import PanelSpec

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path):
    return Shell(qtbot, tmp_path)


def spy_panel(monkeypatch, built):
    from PySide6.QtWidgets import QLabel

    def factory(ctx):
        built.append(ctx)
        return QLabel("spy")

    spec = PanelSpec("spy", "Spy", "access", factory, True, None)
    monkeypatch.setattr(panels, "PANELS", [*panels.PANELS, spec])
    monkeypatch.setattr("ui.main_window.PANELS", panels.PANELS)


async def test_panels_are_built_when_first_opened_and_survive_the_portal_going_live(
    shell, coming_soon_ws, monkeypatch
):
    built = []
    spy_panel(monkeypatch, built)
    ws = coming_soon_ws
    await shell.open(ws, "owner")
    c, w = shell.console, shell.window
    assert w.current_panel_key() == COMING_SOON_KEY
    assert "access" not in w.panels and built == []  # nothing built at workspace open
    w.select_panel("spy")
    w.select_panel("access")
    access_panel, spy = w.panels["access"], w.panels["spy"]
    assert len(built) == 1
    # The owner opens the portal: the change arrives by sync and the sidebar follows.
    async with httpx.AsyncClient(base_url=ws.base_url) as http:
        auth = {"Authorization": f"Bearer {ws.tokens['owner']}"}
        etag = (await http.get("/api/v1/workspace", headers=auth)).headers["ETag"]
        r = await http.patch(
            "/api/v1/workspace",
            # Going live with checklist items open needs each one acknowledged by name.
            json={"portal_status": "active", "acknowledged_open_items": list(BLOCKING_ITEMS)},
            headers={**auth, "If-Match": etag},
        )
        assert r.status_code == 200, r.text
    c.sync_now()
    await until(lambda: c.session.portal_active)
    assert COMING_SOON_KEY not in w.panels
    assert w.panels["access"] is access_panel and w.panels["spy"] is spy and len(built) == 1
    assert w.current_panel_key() == "access" and access_panel.ctx.session.portal_active
    await shell.close()


async def test_a_remembered_sign_in_shows_the_cache_at_once_even_with_the_server_down(
    shell, live, ws, memory_keyring, tmp_path, qtbot
):
    add_customers(live.sessionmaker, ws.id, 120)
    email = ws.emails["owner"]
    await shell.open(ws, "owner")
    assert shell.console.cache.customer_count() == 120
    await shell.close()

    # Next start: the server's address answers nothing (down, or moved: the cache belongs to
    # the workspace, not to the address).
    down = f"http://127.0.0.1:{free_port()}"
    me = known_sessions.recall(ws.base_url, email)
    known_sessions.remember(down, email, me)
    second = Shell(qtbot, tmp_path / "second")
    c, w = second.console, second.window
    second.config.set("server_url", down)
    second.config.set("last_email", email)
    c.credentials.save(down, email, ws.tokens["owner"])
    await c.start(None)
    assert c._dialog is None and c.session is not None
    w.select_panel("access")
    await until(lambda: w.panels["access"].model.rowCount() == 120)
    await until(lambda: w.offline_banner.isVisible())
    assert w.sync_label.text().startswith("Offline")
    assert "No answer from the server since the console started" in w.offline_banner.text.text()
    second.screenshot("started-offline")
    # The server answers again: the console notices within seconds, without being asked.
    c.api.base_url = ws.base_url
    await until(lambda: not w.offline_banner.isVisible(), within=10)
    assert w.sync_label.text().startswith("Up to date")
    second.screenshot("reconnected")
    await second.close()


async def test_rows_show_from_the_cache_before_the_server_answers(
    shell, live, ws, memory_keyring, tmp_path, qtbot
):
    add_customers(live.sessionmaker, ws.id, 50)
    await shell.open(ws, "owner")
    await shell.close()
    gate = asyncio.Event()
    second = Shell(qtbot, tmp_path / "second")
    real = second.http._transport

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            await gate.wait()
            return await real.handle_async_request(request)

    second.http._transport = Slow()
    c, w = second.console, second.window
    second.config.set("server_url", ws.base_url)
    second.config.set("last_email", ws.emails["owner"])
    c.credentials.save(ws.base_url, ws.emails["owner"], ws.tokens["owner"])
    await c.start(None)
    w.select_panel("access")
    await until(lambda: w.panels["access"].model.rowCount() == 50)
    assert c.sync.last_heard is None and w.sync_label.text() == "Connecting…"
    gate.set()
    await until(lambda: w.sync_label.text().startswith("Up to date"))
    await second.close()


async def test_a_second_start_paints_cached_rows_before_asking_the_server(
    shell, live, ws, memory_keyring, tmp_path, qtbot
):
    add_customers(live.sessionmaker, ws.id, 80)
    await shell.open(ws, "owner")
    first = shell.window.panels["access"]
    await until(lambda: first.model.rowCount() == 80 and first.loading.done())
    assert shell.console.cache.index_path.exists()  # saved for the next start
    await shell.close()

    # The server is up and answers at once: only the console's own order can put the rows
    # first. Note what the console had shown when its first request left.
    second = Shell(qtbot, tmp_path / "second")
    real = second.http._transport
    c, w = second.console, second.window
    at_first_request: list[int] = []

    class Watching(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            if not at_first_request:
                panel = w.panels.get("access")
                at_first_request.append(panel.model.rowCount() if panel is not None else -1)
            return await real.handle_async_request(request)

    second.http._transport = Watching()
    second.config.set("server_url", ws.base_url)
    second.config.set("last_email", ws.emails["owner"])
    c.credentials.save(ws.base_url, ws.emails["owner"], ws.tokens["owner"])
    await c.start(None)
    assert w.current_panel_key() == "access"
    await until(lambda: w.sync_label.text().startswith("Up to date"))
    assert at_first_request == [80]  # every cached row was listed before the first request
    assert w.panels["access"].ctx.cached_rows_shown.is_set()
    await second.close()


async def test_a_server_error_is_a_sync_problem_not_offline(shell, ws, monkeypatch):
    await shell.open(ws, "owner")
    c, w = shell.console, shell.window
    real = ApiClient.changes_raw

    async def failing(self, since, limit):
        response = httpx.Response(500, json={"detail": "The server had a problem."})
        response.request = httpx.Request("GET", f"{self.base_url}/api/v1/changes")
        from app.api_client import _error_from

        raise _error_from(response)

    monkeypatch.setattr(ApiClient, "changes_raw", failing)
    c.sync_now()
    await until(lambda: w.offline_banner.isVisible())
    assert w.sync_label.text() == "Sync problem"
    assert "Offline" not in w.offline_banner.text.text()
    assert "Sync problem" in w.offline_banner.text.text()
    assert "Last heard from the server at" in w.offline_banner.text.text()
    shell.screenshot("sync-problem")
    monkeypatch.setattr(ApiClient, "changes_raw", real)
    c.sync_now()
    await until(lambda: not w.offline_banner.isVisible())
    await shell.close()


async def test_a_detail_that_could_not_load_offline_loads_when_the_server_is_back(shell, live, ws):
    add_customers(live.sessionmaker, ws.id, 5)
    await shell.open(ws, "owner")
    c, w = shell.console, shell.window
    panel = w.panels["access"]
    await until(lambda: panel.model.rowCount() == 5)
    c.api.base_url = f"http://127.0.0.1:{free_port()}"  # the network drops
    panel.list.table.setCurrentIndex(panel.model.index(0, 0))
    await until(lambda: w.offline_banner.isVisible())
    await until(lambda: "answers" in panel.detail.status.text())
    shell.screenshot("detail-offline")
    c.api.base_url = ws.base_url
    await until(lambda: not w.offline_banner.isVisible(), within=10)
    await until(lambda: panel.detail.customer is not None)
    assert "Loading" not in panel.detail.status.text()
    # The red "cannot reach" bar of the failed load goes with the offline banner.
    assert not w.message_banner.isVisible()
    shell.screenshot("detail-reconnected")
    await shell.close()
