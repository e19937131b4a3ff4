"""The outbox tab and sign-in trouble against a live server: a failed email with its error,
sent again or cancelled; a locked account unlocked from its item."""

from __future__ import annotations

import pytest

from server.db.base import utcnow
from server.db.models import OutboxEmail
from server.domain.follow_up_causes import mail_failed
from tests.ui.follow_up_support import (
    choose,
    open_panel,
    portal_customer,
    settled,
    shot,
)
from tests.ui.shell_support import Shell, until

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path, memory_keyring):
    return Shell(qtbot, tmp_path)


def _failed_email(live, ws, to: str) -> int:
    with live.sessionmaker() as db:
        row = OutboxEmail(
            workspace_id=ws.id,
            kind="receipt",
            to_address=to,
            subject="Your receipt",
            body_text="Thank you",
            body_html="<p>Thank you</p>",
            status="failed",
            attempts=5,
            last_error="550 5.1.1 No such user here",
            next_attempt_at=utcnow(),
        )
        db.add(row)
        db.flush()
        mail_failed(db, row.id)
        db.commit()
        return int(row.id)


async def test_outbox_shows_failures_and_sends_again_or_cancels(shell, ws, live):
    first = _failed_email(live, ws, "nobody@bounce.example")
    second = _failed_email(live, ws, "gone@bounce.example")
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    await until(lambda: len(panel.model.index_) == 2, 15)
    item = await choose(panel, panel.model.item_id(0))
    assert item["kind"] == "mail_failed"
    await shot(shell, "follow-up-detail-mail_failed")
    # The item leads to the outbox, on its email.
    assert panel.detail.buttons["fix"].text() == "Show in the outbox"
    panel.detail.buttons["fix"].click()
    outbox = panel.outbox
    await until(lambda: outbox.loaded and outbox.selected() is not None, 10)
    await settled(panel)
    assert panel.tabs.currentWidget() is outbox
    assert outbox.selected()["id"] == item["outbox_id"]
    outbox.status.setCurrentIndex(0)  # every email
    await until(lambda: len(outbox.emails) == 2, 10)
    await settled(panel)
    statuses = {e["id"]: e["status"] for e in outbox.emails}
    assert statuses[first] == statuses[second] == "failed"
    row = next(i for i, e in enumerate(outbox.emails) if e["id"] == first)
    assert outbox.table.item(row, 5).text() == "550 5.1.1 No such user here"
    assert "2 failed" in outbox.message.text()
    assert not outbox.retry.isEnabled() and "Choose an email" in outbox.retry.toolTip()
    await shot(shell, "follow-up-outbox-failed")

    outbox.table.selectRow(row)
    assert outbox.retry.isEnabled() and outbox.cancel.isEnabled()
    outbox.retry.click()
    await settled(panel)
    assert "queued to send again" in outbox.message.text()
    assert {e["id"]: e["status"] for e in outbox.emails}[first] == "pending"
    other = next(i for i, e in enumerate(outbox.emails) if e["id"] == second)
    outbox.table.selectRow(other)
    outbox.cancel.click()
    await settled(panel)
    assert "cancelled: it will not be sent" in outbox.message.text()
    assert {e["id"]: e["status"] for e in outbox.emails}[second] == "cancelled"
    assert not outbox.retry.isEnabled() and "cancelled" in outbox.retry.toolTip()

    # Cancelled by someone else meanwhile: cancelling it again from the stale list explains.
    row = next(i for i, e in enumerate(outbox.emails) if e["id"] == first)
    outbox.table.selectRow(row)
    r = ws.client("owner").post(f"/api/v1/outbox/{first}/cancel")
    assert r.status_code == 200, r.text
    outbox.cancel.click()
    await settled(panel)
    assert outbox.message.text() == (
        "This email was already cancelled. The list shows the outbox as it is now."
    )
    assert {e["id"]: e["status"] for e in outbox.emails}[first] == "cancelled"

    # Only cancelled emails: the filter asks the server.
    outbox.status.setCurrentIndex(outbox.status.findData("cancelled"))
    await settled(panel)
    assert sorted(e["id"] for e in outbox.emails) == sorted([first, second])
    await shell.close()


async def test_sign_in_trouble_is_fixed_with_the_access_action(shell, ws, live):
    customer, browser = portal_customer(live, ws)
    browser.client.cookies.clear()
    for _ in range(6):
        browser.sign_in(customer.email, "not the password at all")
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    await until(lambda: len(panel.model.index_) >= 1, 15)
    trouble = next(
        i
        for i, k in zip(panel.model.index_.ids, panel.model.index_.kinds)
        if k == "sign_in_trouble"
    )
    await choose(panel, trouble)
    fix = panel.detail.buttons["fix"]
    assert fix.isVisible() and fix.text() == "Unlock the account" and fix.isEnabled()
    await shot(shell, "follow-up-detail-sign_in_trouble")
    fix.click()
    await settled(panel)
    assert panel.detail.info.text().startswith("Unlock the account: done for Dana Whitfield.")
    account = ws.client("dispatcher").get(f"/api/v1/customers/{customer.customer_id}").json()
    assert account["contacts"][0]["portal_account"]["locked_until"] is None
    await shell.close()
