"""The Access panel inside the console: Coming soon ▸ Email clean-up, opening the portal in a
browser (and saying so when none starts), and the sign-in dialog without a keyring."""

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtGui import QDesktopServices

from tests.ui.shell_support import Shell, until
from ui.dialogs.connect import ConnectDialog
from ui.dialogs.portal_address import PortalAddressDialog
from ui.main_window import COMING_SOON_KEY

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path):
    return Shell(qtbot, tmp_path)


async def test_coming_soon_email_cleanup_opens_the_cleanup_tab(shell, coming_soon_ws):
    await shell.open(coming_soon_ws, "owner")
    w = shell.window
    page = w.panels[COMING_SOON_KEY]
    page.buttons["access"].click()
    assert w.current_panel_key() == "access"
    access = w.panels["access"]
    assert access.tabs.currentWidget() is access.cleanup
    await until(lambda: access.cleanup.loaded)
    shell.screenshot("coming-soon-cleanup-tab")
    await shell.close()


async def test_no_browser_shows_the_address_to_copy(shell, ws, monkeypatch):
    await shell.open(ws, "owner")
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or False)
    shell.window.open_portal_action.trigger()
    dialog = shell.console._portal_dialog
    assert isinstance(dialog, PortalAddressDialog) and dialog.isVisible()
    assert dialog.address.text() == shell.console.session.portal_url
    assert [u.toString() for u in opened] == [shell.console.session.portal_url]
    shell.screenshot("no-browser", dialog)
    dialog.copy.click()
    assert dialog.copy.text() == "Copied"
    # A browser appears: Try again opens it and closes the dialog.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    dialog.retry.click()
    assert not dialog.isVisible()
    shell.window.open_portal_action.trigger()
    assert shell.console._portal_dialog is None
    assert "in your web browser" in shell.window.statusBar().currentMessage()
    await shell.close()


async def test_sign_in_dialog_without_a_keyring_says_it_will_ask_again(shell):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        dialog = ConnectDialog(shell.window, server_url="https://portal.example.com")
    finally:
        keyring.set_keyring(previous)
    note = dialog.findChild(type(dialog.error), "signInNote").text()
    assert "will ask for your password again next time" in note and "remembers" not in note
    dialog.show()
    shell.screenshot("sign-in-no-keyring", dialog)
    dialog.reject()
    await shell.close()


async def test_the_window_keeps_its_width_as_rows_and_progress_arrive(shell, ws):
    w = shell.window
    w.resize(1200, 760)
    await shell.open(ws, "owner")
    before = w.width()
    access = w.panels["access"]
    access.list.count_label.setText("100,000 of 100,000 customers")
    w.show_work("Loading customers", 99_999, 100_000, cancellable=True)
    await until(lambda: w.work_label.isVisible())
    assert w.minimumSizeHint().width() <= 1200
    assert w.width() == before
    shell.screenshot("window-while-loading")
    w.hide_work()
    await shell.close()
