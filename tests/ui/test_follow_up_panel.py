"""The Follow-up inbox against a live server: empty, live items, filters, take, clashes,
done and reopen, the customer deleted, and opening the record."""

from __future__ import annotations

import pytest

from app.follow_up_text import KIND_LABELS
from tests.ui.follow_up_support import (
    approve,
    choose,
    open_panel,
    portal_customer,
    settled,
    shot,
    sidebar_text,
    staff_id,
)
from tests.ui.shell_support import Shell, until
from ui.panels.follow_up.dialogs import AssignDialog, DoneDialog

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shell(qtbot, tmp_path, memory_keyring):
    return Shell(qtbot, tmp_path)


async def test_inbox_fills_live_take_clash_done_and_reopen(shell, ws, live):
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    assert panel.model.rowCount() == 0
    assert panel.empty.isVisible() and "Nothing to follow up yet" in panel.empty.text()
    assert sidebar_text(shell) == "Follow-up"
    await shot(shell, "follow-up-empty")

    # A customer approves a quote on the portal: the item arrives by sync, with its count.
    customer, browser = portal_customer(live, ws)
    approve(browser, customer.ids["quote"])
    await until(lambda: panel.model.rowCount() == 1, 15)
    await until(lambda: sidebar_text(shell) == "Follow-up (1)", 10)
    item_id = panel.model.item_id(0)
    item = await choose(panel, item_id)
    assert item["kind"] == "quote_approved"
    lines = panel.detail.findChildren(type(panel.detail.title))
    texts = {label.text() for label in lines}
    assert "Dana Whitfield" in texts  # the typed name
    assert panel.detail.holder.text() == "Nobody has taken this yet."
    assert "Quote approved (1)" in panel.filters.chips["quote_approved"].text()

    # Take it: the answer shows at once.
    panel.detail.buttons["take"].click()
    await settled(panel)
    assert panel.detail.info.text() == "You have it now."
    assert panel.detail.holder.text().startswith("You took this at ")
    assert panel.model.index(panel.model.row_of_item(item_id), 4).data() == "Dispatcher"
    assert not panel.detail.buttons["take"].isEnabled()
    assert panel.detail.buttons["take"].toolTip() == "You have this already."

    # The manager takes it over meanwhile; the dispatcher, still on the old version, marks it
    # done: the console says who took it and when, and shows the item as it now is.
    manager = ws.client("manager")
    current = manager.get(f"/api/v1/follow-ups/{item_id}")
    r = manager.patch(
        f"/api/v1/follow-ups/{item_id}",
        json={"assignee_id": staff_id(ws, "manager"), "take_over": True},
        headers={"If-Match": current.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    panel.detail.buttons["done"].click()
    dialog = panel.item_actions.dialog
    assert isinstance(dialog, DoneDialog)
    dialog.ok.click()  # no note yet: refused in the dialog
    assert "Write the note first" in dialog.error.text() and dialog.isVisible()
    dialog.note.setPlainText("Called them back")
    dialog.ok.click()
    await settled(panel)
    assert panel.detail.message.text().startswith("Manager took this at ")
    assert panel.detail.holder.text().startswith("Manager has had this since ")
    assert not dialog.isVisible()
    await shot(shell, "follow-up-clash")

    # Now it is current: done with a note works, and the item leaves the open list.
    panel.detail.buttons["done"].click()
    dialog = panel.item_actions.dialog
    dialog.note.setPlainText("Called them back")
    dialog.ok.click()
    await settled(panel)
    assert panel.detail.info.text().startswith("Marked done.")
    assert panel.detail.holder.text().startswith("Done by Dispatcher at ")
    assert panel.model.row_of_item(item_id) is None  # "Open" is the default filter
    await until(lambda: sidebar_text(shell) == "Follow-up", 10)
    panel.detail.buttons["reopen"].click()
    await settled(panel)
    assert panel.detail.info.text() == "Reopened: it is back in the inbox."
    assert panel.model.row_of_item(item_id) is not None

    # Hand it to the manager (people seen holding items, and me).
    panel.detail.buttons["assign"].click()
    await until(lambda: isinstance(panel.item_actions.dialog, AssignDialog), 10)
    dialog = panel.item_actions.dialog
    names = [dialog.person.itemText(i) for i in range(dialog.person.count())]
    assert "Manager" in names and "Dispatcher (me)" in names
    dialog.person.setCurrentIndex(names.index("Manager"))
    dialog.ok.click()
    await settled(panel)
    assert panel.detail.info.text() == "Given to Manager."

    # The item opens its customer in Access.
    panel.detail.buttons["customer"].click()
    await until(lambda: shell.window.current_panel_key() == "access", 10)
    access = shell.window.panels["access"]
    await until(lambda: access.shown_id == customer.customer_id, 20)
    await shell.close()


async def test_filters_search_and_the_customer_deleted(shell, ws, live):
    from server.demo.follow_ups import seed_follow_ups

    customer, browser = portal_customer(live, ws)
    approve(browser, customer.ids["quote"])
    with live.sessionmaker() as db:
        seed_follow_ups(db, ws.id, 300)
        db.commit()
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    await until(lambda: len(panel.model.index_) == 301, 20)
    everything = panel.model.rowCount()
    assert 0 < everything < 301  # open ones only by default
    await until(lambda: sidebar_text(shell) == f"Follow-up ({everything})", 10)
    shell.window.resize(1280, 800)
    await shot(shell, "follow-up-full")

    panel.filters.chips["invoice_paid"].setChecked(True)
    kinds = {panel.model.index(r, 1).data() for r in range(panel.model.rowCount())}
    assert kinds == {"Invoice paid"}
    panel.filters.chips["invoice_paid"].setChecked(False)
    panel.filters.search.setText("whitfield")
    assert panel.model.rowCount() >= 1
    assert "of 301 items" in panel.filters.count_label.text()
    await shot(shell, "follow-up-filtered")
    panel.filters.search.setText("no such customer anywhere")
    assert panel.model.rowCount() == 0 and "No item matches" in panel.empty.text()
    panel.filters.search.clear()
    panel.filters.assignee.setCurrentIndex(panel.filters.assignee.findData(-1))  # me
    mine = {panel.model.index(r, 4).data() for r in range(panel.model.rowCount())}
    assert mine == {"Dispatcher"}  # the seed gave some to each member of staff
    panel.filters.assignee.setCurrentIndex(0)
    panel.filters.dates.setCurrentIndex(panel.filters.dates.findData(-1))
    panel.filters.since.setDate(panel.filters.until.date().addDays(3))
    assert panel.model.rowCount() == 0 and "ends before it starts" in panel.empty.text()
    panel.filters.dates.setCurrentIndex(0)
    assert panel.model.rowCount() == everything

    # Each kind in the detail pane (looked at in the screenshots), and a narrow window.
    panel.filters.state.setCurrentIndex(panel.filters.state.findData(None))
    ix = panel.model.index_
    for kind in KIND_LABELS:
        first = next(i for i, k in zip(ix.ids, ix.kinds, strict=True) if k == kind)
        item = await choose(panel, first)
        assert panel.detail.kind.text() == KIND_LABELS[kind].upper()
        assert panel.detail.lines.rowCount() >= 1, item
        if kind != "service_request":  # the live one is pictured by the requests test
            await shot(shell, f"follow-up-detail-{kind}")
    shell.window.resize(760, 640)
    await shot(shell, "follow-up-narrow")
    shell.window.resize(1280, 800)
    panel.filters.state.setCurrentIndex(panel.filters.state.findData("open"))

    # The approving customer is deleted by the CRM: the item stays, its links are disabled.
    panel.filters.search.setText("whitfield")
    item_id = next(
        panel.model.item_id(r)
        for r in range(panel.model.rowCount())
        if panel.model.index(r, 1).data() == "Quote approved"
    )
    await choose(panel, item_id)
    assert panel.detail.buttons["customer"].isEnabled()
    from server.db.models import Customer

    with live.sessionmaker() as db:
        db.get(Customer, customer.customer_id).external_id = f"crm-{customer.customer_id}"
        db.commit()
    r = ws.client("owner").delete(f"/api/v1/records/customers/crm-{customer.customer_id}")
    assert r.status_code == 204, r.text
    await until(lambda: (panel.detail.item or {}).get("customer_deleted") is True, 15)
    assert not panel.detail.buttons["customer"].isEnabled()
    assert "deleted" in panel.detail.buttons["customer"].toolTip()
    assert not panel.detail.buttons["as_seen"].isEnabled()
    assert "(customer deleted since)" in panel.detail.meta.text()
    await shot(shell, "follow-up-customer-deleted")
    await shell.close()


async def test_a_role_without_the_permission_sees_why(shell, ws, live):
    owner = ws.client("owner")
    table = owner.get("/api/v1/team/permissions")
    roles = table.json()["roles"]
    dispatcher = [p for p in roles["dispatcher"] if p not in ("handle_follow_up", "view_mail")]
    r = owner.put(
        "/api/v1/team/permissions",
        json={"roles": {"dispatcher": dispatcher}},
        headers={"If-Match": table.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    customer, browser = portal_customer(live, ws)
    approve(browser, customer.ids["quote"])
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    await until(lambda: panel.model.rowCount() == 1, 15)
    await choose(panel, panel.model.item_id(0))
    for name in ("take", "assign", "done"):
        button = panel.detail.buttons[name]
        assert not button.isEnabled()
        assert "needs the 'handle_follow_up' permission" in button.toolTip()
    outbox = panel.tabs.indexOf(panel.outbox)
    assert not panel.tabs.isTabEnabled(outbox)
    assert "'view_mail' permission" in panel.tabs.tabToolTip(outbox)
    assert panel.detail.buttons["customer"].isEnabled()  # reading is view_customers
    await shot(shell, "follow-up-no-permission")
    await shell.close()


async def test_changes_waiting_when_the_workspace_closes_are_dropped(shell, ws, live):
    # Sync told the panel of a change; the workspace closes before its timer fires.
    await shell.open(ws, "dispatcher")
    panel = await open_panel(shell)
    await until(lambda: panel.loaded, 15)
    cache = panel.ctx.cache
    await shell.close()
    assert cache.closed
    panel._changed = {1}
    panel._apply_changes()  # the timer's late call: reads nothing from the closed cache
    assert panel._changed == {1}
