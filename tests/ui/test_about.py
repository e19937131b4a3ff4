"""Help ▸ About: the console's version (as ``--version`` prints it), Qt's, and the server's."""

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from app.version import console_version
from tests.ui.shell_support import Shell, until
from ui.console_app import version_line

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path):
    return Shell(qtbot, tmp_path)


def _about_text(shell) -> str:
    return shell.console._about.text.text()


async def test_about_shows_console_qt_and_server_versions(shell, ws):
    await shell.open(ws, "dispatcher")
    server_version = (await shell.http.get(f"{ws.base_url}/healthz")).json()["version"]
    shell.window.about_action.trigger()
    await until(lambda: shell.console._about is not None and shell.console._about.isVisible())
    text = _about_text(shell)
    assert f"<td>{console_version()}</td>" in text
    assert f"{qVersion()} / {pyside_version}" in text
    assert f"{ws.base_url} ({server_version})" in text
    # The same console version and Qt as the command line's --version.
    assert version_line().startswith(f"portal-console {console_version()} (Qt {qVersion()}")
    shell.screenshot("about", shell.console._about)
    shell.console._about.close()
    await shell.close()


async def test_about_without_a_server_says_not_connected(shell):
    shell.window.about_action.trigger()
    await until(lambda: shell.console._about is not None and shell.console._about.isVisible())
    assert "not connected (version unknown)" in _about_text(shell)
    assert f"<td>{console_version()}</td>" in _about_text(shell)
    shell.console._about.close()
    await shell.close()


async def test_about_when_the_server_stops_answering_says_so(shell, ws, monkeypatch):
    await shell.open(ws, "dispatcher")
    api = shell.console.api
    # The server goes away between sign-in and the About box: ask a port nothing listens on.
    from tests.support.live_server import free_port

    monkeypatch.setattr(api, "base_url", f"http://127.0.0.1:{free_port()}")
    shell.window.about_action.trigger()
    await until(lambda: shell.console._about is not None and shell.console._about.isVisible())
    assert "(not reachable)" in _about_text(shell)
    shell.console._about.close()
    await shell.close()
