"""The Access panel's states a dispatcher acts on: whose status a row shows, fixing an email in
the invite dialog, held invites, pasted emails, the rollout summary and a normal-width window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.access_harness import (  # noqa: F401  (fixtures)
    Harness,
    access_server_fixture,
    click,
    fill_customers,
    harness_fixture,
    screenshot,
    until,
)
from ui.models.customers import STATUS_COLUMN
from ui.panels.access.dialogs import DisableDialog, EmailDialog, InviteDialog

pytestmark = pytest.mark.timeout(180)
PM = "pm@lettings.example"


def test_a_row_never_shows_another_contacts_status(harness: Harness) -> None:
    cid = harness.customer_id("Grace Hopper")
    harness.add_contacts(
        [
            {
                "external_id": "p1-billing",
                "customer_external_id": "c1",
                "name": "Bill Payer",
                "email": "bills@cobol.example",
                "role": "billing",
                "is_primary": False,
            }
        ]
    )
    detail = harness.api("owner").get(f"/api/v1/customers/{cid}").json()
    billing = next(c["id"] for c in detail["contacts"] if not c["is_primary"])
    harness.api("owner").post(f"/api/v1/contacts/{billing}/portal-invite").raise_for_status()
    panel = harness.panel("dispatcher")
    row = panel.model.row_of_customer(cid)
    assert row is not None
    # Grace is named on the row and has not been invited; Bill's invite is not hers.
    assert panel.model.row_at(row).primary_contact_name == "Grace Hopper"
    assert panel.model.status_at(row) == "not_invited"
    tip = panel.model.data(panel.model.index(row, STATUS_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tip == "Not invited: portal access of Grace Hopper (primary contact)"
    header = panel.model.headerData(
        STATUS_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "primary contact" in header
    # Each contact's own state is in the detail.
    harness.open_customer(panel, cid)
    cards = {c.contact_id: c for c in panel.detail.cards.values()}
    assert "Not invited" in cards[detail["primary_contact_id"]].description.text()
    assert "Invite sent" in cards[billing].description.text()
    screenshot(panel, "row-is-the-primary-contact")


def test_invite_dialog_blocks_a_bad_email_and_fixes_it_in_place(harness: Harness) -> None:
    panel = harness.panel("dispatcher")
    cid = harness.customer_id("Broken Email Co")
    harness.open_customer(panel, cid)
    card = next(iter(panel.detail.cards.values()))
    harness.click(card.buttons["invite"])
    dialog = panel.dialog
    assert isinstance(dialog, InviteDialog)
    assert dialog.warning.text() == "This email has no @."
    assert not dialog.send.isEnabled() and dialog.send.toolTip() == "Fix the email first."
    assert dialog.fix_row.isVisibleTo(dialog) and dialog.email.text() == "not-an-email"
    screenshot(dialog, "invite-bad-email", size=None)
    # Typing: still wrong, said as a problem; nothing can be saved yet.
    dialog.email.setText("bob@broken")
    dialog.email.textEdited.emit("bob@broken")
    assert not dialog.save_email.isEnabled()
    assert dialog.fix_note.text() == "This email has no dot after the @ (like example.com)."
    dialog.email.setText("")
    dialog.email.textEdited.emit("")
    assert dialog.fix_note.text() == "Type the contact's email address."
    contact = next(iter(panel.detail.cards))
    # The server cannot be reached: said in the dialog, nothing saved, the dialog stays.
    base = panel.ctx.api.base_url
    panel.ctx.api.base_url = "http://127.0.0.1:9"
    dialog.email.setText("bob@broken.example")
    dialog.email.textEdited.emit("bob@broken.example")
    harness.click(dialog.save_email)
    harness.run(until(lambda: dialog.fix_note.text().startswith("Not saved")))
    assert "reach the server" in dialog.fix_note.text() and dialog.save_email.isEnabled()
    panel.ctx.api.base_url = base
    assert harness.api("owner").get(f"/api/v1/contacts/{contact}").json()["email"] == (
        "not-an-email"
    )
    # Saved, but to an address another customer's contact has: still blocked, said why.
    dialog.email.setText("ada@analytical.example")
    dialog.email.textEdited.emit("ada@analytical.example")
    harness.click(dialog.save_email)
    harness.run(until(lambda: "Ada Lovelace" in dialog.warning.text()))
    assert not dialog.send.isEnabled() and dialog.fix_row.isVisibleTo(dialog)
    # A good address: saved from the dialog, and the invite can go.
    dialog.email.setText("bob@broken.example")
    dialog.email.textEdited.emit("bob@broken.example")
    assert dialog.save_email.isEnabled()
    harness.click(dialog.save_email)
    harness.run(until(lambda: dialog.send.isEnabled()))
    assert dialog.warning.isHidden() and "bob@broken.example" in dialog.choice.currentText()
    assert harness.api("owner").get(f"/api/v1/contacts/{contact}").json()["email"] == (
        "bob@broken.example"
    )
    harness.click(dialog.send)
    harness.run(until(lambda: type(panel.dialog).__name__ == "InviteSentDialog"))
    assert harness.errors == []


def test_without_edit_contacts_the_dialog_says_where_the_fix_is(harness: Harness) -> None:
    harness.set_role_permissions("dispatcher", ["view_customers", "invite", "view_audit"])
    panel = harness.panel("dispatcher")
    harness.open_customer(panel, harness.customer_id("Broken Email Co"))
    harness.click(next(iter(panel.detail.cards.values())).buttons["invite"])
    dialog = panel.dialog
    assert not dialog.fix_row.isVisibleTo(dialog) and not dialog.send.isEnabled()
    assert "“edit contacts” permission" in dialog.fix_note.text()
    dialog.reject()


def test_inviting_while_coming_soon_holds_the_invite_until_go_live(harness: Harness) -> None:
    harness.set_portal_status("coming_soon")
    panel = harness.panel("dispatcher")
    assert panel.bulk.held_note.isVisibleTo(panel.bulk)
    cid = harness.customer_id("Grace Hopper")
    harness.open_customer(panel, cid)
    harness.click(next(iter(panel.detail.cards.values())).buttons["invite"])
    dialog = panel.dialog
    assert dialog.send.text() == "Hold invite until live"
    assert "held" in dialog.when.text() and "7 days start then" in dialog.when.text()
    screenshot(dialog, "invite-coming-soon", size=None)
    harness.click(dialog.send)
    harness.run(until(lambda: type(panel.dialog).__name__ == "InviteSentDialog"))
    sent = panel.dialog
    assert sent.windowTitle() == "Invite held"
    screenshot(sent, "invite-held", size=None)
    harness.run(until(lambda: "Held until the portal goes live" in next(
        iter(panel.detail.cards.values())).description.text()))  # fmt: skip
    card = next(iter(panel.detail.cards.values()))
    assert card.findChild(type(panel.detail.title), "statusBadge").text() == "Held until live"
    screenshot(panel, "held-invite")
    # Going live (the workspace PATCH) sends it; the detail then says so.
    harness.set_portal_status("active")
    harness.open_customer(panel, cid)
    text = next(iter(panel.detail.cards.values())).description.text()
    assert text.startswith("Invite sent") and "expires in 7 days" in text


def test_pasted_email_of_a_property_manager_reaches_every_contact(harness: Harness) -> None:
    harness.add_contacts(
        [
            {
                "external_id": f"pm{i}",
                "customer_external_id": f"c{7 + i}",
                "name": "Pat Manager",
                "email": PM,
                "role": "property manager",
                "is_primary": False,
            }
            for i in range(5)
        ]
    )
    panel = harness.panel("owner")
    bulk = panel.bulk
    bulk.paste.setPlainText(f"Name,Email\nPat <{PM.upper()}>\nnobody@nowhere.example\n{PM}\n")
    harness.click(bulk.use_paste)
    assert len(bulk.contact_ids) == 5
    assert bulk.summary.text() == (
        "3 pasted emails: 1 matched 5 contacts; 1 matched no contact; 1 listed twice. "
        "1 line held no email address."
    )
    assert not bulk.progress.isVisibleTo(bulk)
    harness.call(lambda: bulk.start(dry_run=True))
    harness.run(until(lambda: bulk.dry_run.isEnabled() and bulk.model.rowCount() == 8))
    outcomes = [r["outcome"] for r in bulk.model.records]
    # The skipped lines stay listed in the dry run, each with its reason, beside the contacts.
    assert outcomes[:3] == ["not_an_email", "unknown_email", "repeated"]
    assert set(outcomes[3:]) == {"email_shared"}
    assert bulk.summary.text() == (
        "Dry run of 5 contacts. Email shared with another customer: 5. Pasted lines left out: "
        "not an email: 1; no contact has this email: 1; listed twice: 1."
    )
    assert not bulk.progress.isVisibleTo(bulk)  # no finished 100% bar left behind
    assert not bulk.send.isEnabled()  # nobody would be invited
    panel.tabs.setCurrentWidget(bulk)
    screenshot(panel, "bulk-pasted-dry-run")


def test_rollout_summary_fills_the_detail_pane_until_a_customer_is_chosen(
    harness: Harness,
) -> None:
    ada = harness.primary_contact(harness.customer_id("Ada Lovelace"))
    harness.api("owner").post(f"/api/v1/contacts/{ada}/portal-invite").raise_for_status()
    panel = harness.panel("dispatcher")
    overview = panel.detail.overview
    assert overview.isVisibleTo(panel.detail) and panel.detail.title.text() == "Rollout"
    total = len(fill_customers())
    assert overview.text().startswith(f"{total} customers.")
    assert "• 1 invited, waiting for them to choose a password" in overview.text()
    assert f"• {total - 1} not invited yet" in overview.text()
    screenshot(panel, "rollout-summary")
    harness.open_customer(panel, harness.customer_id("Grace Hopper"))
    assert not overview.isVisibleTo(panel.detail)


def test_last_sign_in_fits_at_a_normal_width_and_the_panel_does_not_widen(
    harness: Harness,
) -> None:
    panel = harness.panel("dispatcher")
    # A 1200-pixel window less the 200-pixel sidebar.
    panel.resize(1000, 700)
    panel.show()
    table = panel.list.table
    harness.run(until(lambda: table.viewport().width() > 0))
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    last = header.sectionViewportPosition(4) + header.sectionSize(4)
    assert last <= table.viewport().width()
    screenshot(panel, "normal-width", size=None)
    # A long count ("100,000 of 100,000 customers") does not raise the panel's minimum width.
    before = panel.minimumSizeHint().width()
    panel.list.count_label.setText("100,000 of 100,000 customers")
    assert panel.minimumSizeHint().width() == before
    # As narrow as it goes: still no sideways scrolling, and narrow enough for a window of
    # 1,100 pixels with the sidebar.
    panel.resize(panel.minimumSizeHint().width(), 600)
    assert panel.width() <= 930
    harness.run(until(lambda: header.length() <= table.viewport().width()))
    screenshot(panel, "narrow", size=None)


def test_disable_dialog_shows_its_whole_placeholder(harness: Harness) -> None:
    panel = harness.panel("owner")
    dialog = DisableDialog("Alan Turing", "alan@bletchley.example", panel)
    dialog.show()
    harness.run(until(lambda: dialog.reason.viewport().width() > 0))
    text = dialog.reason.placeholderText()
    needed = dialog.reason.fontMetrics().horizontalAdvance(text)
    assert needed <= dialog.reason.viewport().width() - 8
    assert dialog.reason.viewport().height() >= 3 * dialog.reason.fontMetrics().lineSpacing()
    screenshot(dialog, "disable-dialog", size=None)
    dialog.reject()


def test_cleanup_counts_refresh_after_a_fix_and_match_the_server(harness: Harness) -> None:
    panel = harness.panel("owner")
    view = panel.cleanup
    harness.call(lambda: panel.show_section("cleanup"))
    assert panel.tabs.currentWidget() is view
    harness.run(until(lambda: view.loaded and view.model.rowCount() > 0))
    report = harness.api("owner").get("/api/v1/email-hygiene").json()
    assert "1 email with a problem" in view.summary.text()
    assert "1 email shared by several customers (2 contacts)" in view.summary.text()
    kinds = [r["kind"] for r in view.model.records]
    assert kinds.count("invalid") == report["invalid"]["contact_count"]
    assert kinds.count("shared") == report["shared"]["contact_count"]
    screenshot(panel, "cleanup-before-fix")
    row = kinds.index("invalid")
    harness.call(lambda: view.pick(row))
    harness.run(until(lambda: view.save_button.isEnabled()))
    view.email.setText("bob@fixed.example")
    harness.call(view.save)
    harness.run(until(lambda: "with a problem" not in view.summary.text()))
    assert view.model.records[row]["fixed"] == "Fixed"
    assert harness.api("owner").get("/api/v1/email-hygiene").json()["invalid"]["count"] == 0
    screenshot(panel, "cleanup-after-fix")


def test_an_email_is_fixed_from_the_customers_detail(harness: Harness) -> None:
    ada = harness.primary_contact(harness.customer_id("Ada Lovelace"))
    harness.api("owner").post(f"/api/v1/contacts/{ada}/portal-invite").raise_for_status()
    alan_customer = harness.customer_id("Alan Turing")
    alan = harness.primary_contact(alan_customer)
    harness.api("owner").post(f"/api/v1/contacts/{alan}/portal-invite").raise_for_status()
    # Alan signs in with this email: a dispatcher may not move it, and is told why.
    desk = harness.panel("dispatcher")
    harness.open_customer(desk, alan_customer)
    locked = desk.detail.cards[alan].buttons["edit_email"]
    assert not locked.isEnabled() and "'edit contact email' permission" in locked.toolTip()
    panel = harness.panel("manager")
    harness.open_customer(panel, alan_customer)
    harness.click(panel.detail.cards[alan].buttons["edit_email"])
    dialog = panel.dialog
    assert isinstance(dialog, EmailDialog) and not dialog.save.isEnabled()
    assert "portal account" in dialog.findChild(type(dialog.problem), "formWarning").text()
    dialog.email.setText("alan at bletchley")
    dialog.email.textEdited.emit("alan at bletchley")
    assert dialog.problem.text() == "This email has no @." and not dialog.save.isEnabled()
    screenshot(dialog, "change-email", size=None)
    # Ada's portal account has this address: the server refuses, the dialog says so and stays.
    dialog.email.setText("ada@analytical.example")
    dialog.email.textEdited.emit("ada@analytical.example")
    harness.click(dialog.save)
    harness.run(until(lambda: dialog.problem.text().startswith("Not saved")))
    assert "already used for the portal" in dialog.problem.text() and dialog.isVisible()
    dialog.email.setText("alan.turing@bletchley.example")
    dialog.email.textEdited.emit("alan.turing@bletchley.example")
    harness.click(dialog.save)
    harness.run(until(lambda: not dialog.isVisible()))
    harness.run(until(lambda: "alan.turing@bletchley.example" in panel.detail.status.text()))
    card = panel.detail.cards[alan]
    assert any("alan.turing@bletchley.example" in w.text() for w in card.findChildren(QLabel))
    row = panel.model.row_of_customer(alan_customer)
    harness.run(
        until(lambda: panel.model.row_at(row).primary_email == "alan.turing@bletchley.example")
    )
    assert harness.errors == []
