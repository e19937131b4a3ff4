"""Service requests from the inbox against a live server: the ask, accept and decline dialogs
check what was typed, a decision made elsewhere first is explained, and the item follows."""

from __future__ import annotations

import pytest

from tests.ui.follow_up_support import (
    choose,
    open_panel,
    portal_customer,
    request_service,
    settled,
    shot,
)
from tests.ui.shell_support import Shell, until
from ui.panels.follow_up.dialogs import AcceptDialog, AskDialog, DeclineDialog

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path, memory_keyring):
    return Shell(qtbot, tmp_path)


def _texts(panel) -> str:
    return "\n".join(label.text() for label in panel.detail.findChildren(type(panel.detail.title)))


async def test_ask_accept_and_decline_with_their_errors(shell, ws, live):
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    customer, browser = portal_customer(live, ws)
    request_service(browser, customer, "The kitchen tap drips all night long")
    await until(lambda: panel.model.rowCount() == 1, 15)
    item = await choose(panel, panel.model.item_id(0))
    assert item["kind"] == "service_request" and item["request_status"] == "requested"
    assert "The kitchen tap drips all night long" in _texts(panel)
    assert "Weekday mornings" in _texts(panel)
    assert "New request: waiting for the office" in _texts(panel)
    await shot(shell, "follow-up-detail-service_request")

    # Ask: too short a question is refused in the dialog, which keeps what was typed.
    panel.detail.buttons["ask"].click()
    dialog = panel.item_actions.dialog
    assert isinstance(dialog, AskDialog)
    dialog.question.setPlainText("Why")
    dialog.ok.click()
    assert "at least 5 characters" in dialog.error.text() and dialog.isVisible()
    assert dialog.question.toPlainText() == "Why"
    await shot(shell, "follow-up-ask-error", dialog)
    dialog.question.setPlainText("Could you send a photo of the tap?")
    dialog.ok.click()
    await settled(panel)
    assert not dialog.isVisible()
    assert panel.detail.info.text().startswith("Question sent")
    await until(lambda: (panel.detail.item or {}).get("request_status") == "needs_info", 10)
    assert "Could you send a photo of the tap?" in _texts(panel)

    # Accept: a visit that ends before it starts is refused before anything is sent.
    panel.detail.buttons["accept"].click()
    dialog = panel.item_actions.dialog
    assert isinstance(dialog, AcceptDialog)
    dialog.end.setDateTime(dialog.start.dateTime().addSecs(-3600))
    dialog.ok.click()
    assert "must end after it starts" in dialog.error.text() and dialog.isVisible()
    await shot(shell, "follow-up-accept-error", dialog)
    dialog.reject()

    # Declined by the manager meanwhile: accepting from the stale screen is explained and the
    # item shows where the request now stands.
    request_id = item["service_request_id"]
    r = ws.client("manager").post(
        f"/api/v1/service-requests/{request_id}/decline",
        json={"reason": "We do not cover that area"},
    )
    assert r.status_code == 200, r.text
    panel.detail.buttons["accept"].click()
    dialog = panel.item_actions.dialog
    dialog.technician.setText("Sam Carter")
    dialog.ok.click()
    await settled(panel)
    assert "The item shows where the request stands now" in panel.detail.message.text()
    await until(lambda: (panel.detail.item or {}).get("request_status") == "declined", 10)
    assert not panel.detail.buttons["accept"].isEnabled()
    assert panel.detail.buttons["accept"].toolTip() == "Already decided: declined."
    assert "We do not cover that area" in _texts(panel)

    # A second customer's request: an empty reason is refused, then it is accepted.
    other, other_browser = portal_customer(live, ws)
    request_service(other_browser, other, "Boiler makes a banging noise", photo=True)
    await until(lambda: len(panel.model.index_) == 2, 15)
    second = next(i for i in panel.model.index_.ids if i != item["id"])
    await choose(panel, second)
    # Its photo waits for review: the dispatcher (no file review) is told where it shows.
    await until(lambda: panel.detail.photos.count() > 0, 10)
    thumb = panel.detail.photos.itemAt(0).widget()
    assert thumb.text() == "Photo: File review shows it"
    assert "1 (held for review until shared)" in _texts(panel)
    panel.detail.buttons["decline"].click()
    dialog = panel.item_actions.dialog
    assert isinstance(dialog, DeclineDialog)
    dialog.ok.click()
    assert "Write the reason first" in dialog.error.text()
    await shot(shell, "follow-up-decline-error", dialog)
    dialog.reject()
    panel.detail.buttons["accept"].click()
    dialog = panel.item_actions.dialog
    dialog.technician.setText("Sam Carter")
    dialog.ok.click()
    await settled(panel)
    assert panel.detail.info.text().startswith("Accepted:")
    await until(lambda: (panel.detail.item or {}).get("request_status") == "accepted", 10)
    assert "Sam Carter" in _texts(panel)
    await shot(shell, "follow-up-request-accepted")
    await shell.close()


async def test_a_reviewer_sees_the_request_photos(shell, ws, live):
    await shell.open(ws, "manager")
    panel = await open_panel(shell)
    customer, browser = portal_customer(live, ws)
    request_service(browser, customer, "Cracked radiator valve in the hall", photo=True)
    await until(lambda: panel.model.rowCount() == 1, 15)
    await choose(panel, panel.model.item_id(0))
    await until(lambda: panel.detail.photos.count() > 0, 10)
    await settled(panel)
    thumb = panel.detail.photos.itemAt(0).widget()
    assert thumb.pixmap() is not None and not thumb.pixmap().isNull()
    await shot(shell, "follow-up-request-photo")
    await shell.close()
