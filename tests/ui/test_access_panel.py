"""The Access panel against a real server: table, search, detail, every action, permissions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester

from tests.ui.access_harness import (  # noqa: F401  (fixtures)
    Harness,
    access_server_fixture,
    click,
    fill_customers,
    harness_fixture,
    screenshot,
    until,
)

pytestmark = pytest.mark.timeout(120)


def test_table_search_filter_sort_and_copy(harness: Harness, qtbot) -> None:
    ada = harness.primary_contact(harness.customer_id("Ada Lovelace"))
    harness.api("owner").post(f"/api/v1/contacts/{ada}/portal-invite").raise_for_status()
    panel = harness.panel("dispatcher")
    model, lst = panel.model, panel.list
    ModelTester(qtbot).check(model, force_py=True)
    assert model.rowCount() == len(fill_customers())
    lst.search.setText("ada")
    harness.run(until(lambda: model.rowCount() == 1))
    assert model.row_at(0).name == "Ada Lovelace"
    lst.search.setText("")
    harness.run(until(lambda: model.rowCount() == len(fill_customers())))
    lst.chips["invited"].setChecked(True)
    assert [model.row_at(r).name for r in range(model.rowCount())] == ["Ada Lovelace"]
    assert model.status_at(0) == "invited"
    assert lst.count_label.text() == f"1 of {len(fill_customers())} customers"
    lst.chips["invited"].setChecked(False)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    emails = [model.row_at(r).primary_email or "\uffff" for r in range(model.rowCount())]
    assert emails == sorted(emails, reverse=True)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    ModelTester(qtbot).check(model, force_py=True)
    # Down from the search box selects the first row; Ctrl+C copies its email.
    lst.search.setFocus()
    harness.call(lambda: qtbot.keyClick(lst.search, Qt.Key.Key_Down))
    assert lst.current_customer_id() == model.customer_id(0)
    lst.copy_email()
    assert QGuiApplication.clipboard().text() == model.row_at(0).primary_email
    screenshot(panel, "table")


def test_invite_end_to_end_shows_link_and_updates_row(harness: Harness) -> None:
    panel = harness.panel("dispatcher")
    cid = harness.customer_id("Grace Hopper")
    harness.open_customer(panel, cid)
    card = next(iter(panel.detail.cards.values()))
    assert "Not invited" in card.description.text()
    harness.click(card.buttons["invite"])
    dialog = panel.dialog
    assert dialog.warning.isHidden() and dialog.send.isEnabled()
    harness.click(dialog.send)
    harness.run(until(lambda: type(panel.dialog).__name__ == "InviteSentDialog"))
    sent = panel.dialog
    assert "/p/" in sent.link.text()
    head = sent.findChild(type(panel.detail.title), "inviteHead").text()
    assert "queued" in head or "sent" in head
    click(sent.copy)
    assert QGuiApplication.clipboard().text() == sent.link.text()
    screenshot(sent, "invite-confirmation")
    harness.run(until(lambda: panel.model.status_at(panel.model.row_of_customer(cid)) == "invited"))
    card = next(iter(panel.detail.cards.values()))
    assert "Invite sent" in card.description.text()
    assert set(card.buttons) == {
        "resend",
        "revoke",
        "disable",
        "edit_email",
        "edit_zone",
        "preview",
    }
    assert "sent an invite" in panel.detail.timeline.item(0).text()
    screenshot(panel, "detail")


def test_invite_blocks_invalid_and_shared_emails(harness: Harness) -> None:
    panel = harness.panel("dispatcher")
    harness.open_customer(panel, harness.customer_id("Broken Email Co"))
    card = next(iter(panel.detail.cards.values()))
    harness.click(card.buttons["invite"])
    assert panel.dialog.warning.text() == "This email has no @."
    assert not panel.dialog.send.isEnabled()
    panel.dialog.reject()
    harness.open_customer(panel, harness.customer_id("Shared One"))
    card = next(iter(panel.detail.cards.values()))
    harness.click(card.buttons["invite"])
    assert "Shared Two" in panel.dialog.warning.text()
    assert not panel.dialog.send.isEnabled()
    panel.dialog.reject()


def test_resend_revoke_disable_enable_reset_unlock(harness: Harness) -> None:
    panel = harness.panel("owner")
    cid = harness.customer_id("Alan Turing")
    contact = harness.primary_contact(cid)
    harness.api("owner").post(f"/api/v1/contacts/{contact}/portal-invite").raise_for_status()
    harness.open_customer(panel, cid)

    def press(action: str) -> None:
        card = panel.detail.cards[contact]
        harness.click(card.buttons[action])

    def wait_status(status: str) -> None:
        harness.run(
            until(lambda: panel.model.status_at(panel.model.row_of_customer(cid)) == status)
        )

    press("resend")
    harness.run(until(lambda: "new invite was sent" in panel.detail.status.text()))
    press("revoke")
    harness.run(until(lambda: "no longer works" in panel.detail.status.text()))
    wait_status("invite_expired")
    press("disable")
    dialog = panel.dialog
    assert not dialog.ok.isEnabled()  # a reason is required
    assert "signed out everywhere" in dialog.findChildren(type(panel.detail.title))[0].text()
    dialog.reason.setPlainText("moved out")
    harness.click(dialog.ok)
    wait_status("disabled")
    harness.run(until(lambda: "moved out" in panel.detail.cards[contact].description.text()))
    assert "Disabled by Owner" in panel.detail.cards[contact].description.text()
    press("enable")
    harness.run(until(lambda: "enabled again" in panel.detail.status.text()))
    # An active, locked account: unlock and reset.
    harness.make_active_and_locked(contact)
    harness.open_customer(panel, cid)
    assert "Locked after 5 wrong passwords until" in panel.detail.cards[contact].description.text()
    press("reset")
    harness.run(until(lambda: "reset link was emailed" in panel.detail.status.text()))
    press("unlock")
    harness.run(until(lambda: "can try to sign in again" in panel.detail.status.text()))
    harness.run(until(lambda: "unlock" not in panel.detail.cards[contact].buttons))
    assert harness.errors == []


def test_role_without_permission_sees_no_button(harness: Harness) -> None:
    harness.set_role_permissions("dispatcher", ["view_customers", "reset", "view_audit"])
    panel = harness.panel("dispatcher")
    harness.open_customer(panel, harness.customer_id("Grace Hopper"))
    card = next(iter(panel.detail.cards.values()))
    # Only "Preview as…", disabled: this narrowed role lost the preview permission too.
    assert set(card.buttons) == {"preview"}
    assert not card.buttons["preview"].isEnabled()
    # No bulk_invite: the tab is there, disabled, and says which permission it needs.
    tab = panel.tabs.indexOf(panel.bulk)
    assert not panel.tabs.isTabEnabled(tab)
    assert "“bulk invite” permission" in panel.tabs.tabToolTip(tab)
    assert "dispatcher" in panel.tabs.tabToolTip(tab)
    assert not panel.cleanup.save_button.isVisibleTo(panel.cleanup)


def test_preview_as_is_offered_on_every_contact_and_says_why_when_locked(
    harness: Harness,
) -> None:
    cid = harness.customer_id("Grace Hopper")
    harness.add_contacts(
        [
            {
                "external_id": "grace-2",
                "customer_external_id": "c1",
                "name": "Ada Byron",
                "is_primary": False,
            }
        ]
    )
    panel = harness.panel("dispatcher")
    harness.open_customer(panel, cid)
    cards = list(panel.detail.cards.values())
    assert len(cards) == 2  # one contact with an email, one without: both can be previewed
    for card in cards:
        button = card.buttons["preview"]
        assert button.isEnabled() and button.text() == "Preview as…"
        assert "once invited" in button.toolTip()  # neither has a portal account yet
    screenshot(panel, "preview-as-enabled")
    # Without the preview permission: still there, disabled, and it says why.
    harness.set_role_permissions("dispatcher", ["view_customers", "invite", "view_audit"])
    locked = harness.panel("dispatcher")
    harness.open_customer(locked, cid)
    for card in locked.detail.cards.values():
        button = card.buttons["preview"]
        assert not button.isEnabled()
        assert "“preview” permission" in button.toolTip() and "dispatcher" in button.toolTip()
    screenshot(locked, "preview-as-disabled")
    # Asked anyway (say, from a stale window): no Preview panel to open, a plain message.
    customer = locked.detail.customer
    assert customer is not None
    assert locked.preview_as(customer, cards[0].contact_id) is None
    assert "“preview” permission" in locked.detail.status.text()
    locked.resize(560, 700)
    screenshot(locked, "preview-as-narrow", size=(560, 700))
    assert harness.errors == []


def test_server_error_is_reported_not_swallowed(harness: Harness) -> None:
    panel = harness.panel("dispatcher")
    cid = harness.customer_id("Grace Hopper")
    harness.open_customer(panel, cid)
    contact = harness.primary_contact(cid)
    # Someone else disabled access meanwhile: the stale "invite" is refused by the server.
    harness.api("owner").post(f"/api/v1/contacts/{contact}/portal-invite").raise_for_status()
    harness.api("owner").post(
        f"/api/v1/contacts/{contact}/portal-access/disable", json={"reason": "left"}
    ).raise_for_status()
    harness.call(lambda: panel.act("invite", contact))
    harness.run(until(lambda: harness.errors))
    assert harness.errors[0]
