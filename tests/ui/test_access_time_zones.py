"""Times in the Access detail are the business's, and a contact's own zone is set from there."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QLabel

from tests.ui.access_harness import (  # noqa: F401  (fixtures)
    Harness,
    access_server_fixture,
    harness_fixture,
    screenshot,
    until,
)
from ui.panels.access.zone_dialog import ZoneDialog

pytestmark = pytest.mark.timeout(180)


def _set_workspace_zone(harness: Harness, zone: str) -> None:
    c = harness.api("owner")
    tag = c.get("/api/v1/workspace").headers["etag"]
    r = c.patch("/api/v1/workspace", json={"time_zone": zone}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text


def test_a_contact_zone_is_set_checked_and_cleared_from_the_detail(harness: Harness) -> None:
    customer = harness.customer_id("Ada Lovelace")
    ada = harness.primary_contact(customer)
    harness.api("owner").post(f"/api/v1/contacts/{ada}/portal-invite").raise_for_status()
    _set_workspace_zone(harness, "Asia/Kolkata")  # far from this machine's zone (UTC here)
    panel = harness.panel("manager")  # its cache syncs the workspace's settings
    assert panel.ctx.local_format().time_zone == "Asia/Kolkata"
    harness.open_customer(panel, customer)
    card = panel.detail.cards[ada]
    # The invite's expiry is told in the business's clock (UTC+5:30): a half-hour offset
    # shows whether the machine's zone leaked in.
    expiry = card.description.text()
    sent = harness.api("owner").get(f"/api/v1/customers/{customer}").json()["contacts"][0]
    expires = datetime.fromisoformat(sent["portal_account"]["invite"]["expires_at"])
    india = expires.astimezone(ZoneInfo("Asia/Kolkata"))
    assert f"({india:%-I:%M}\u202f{india:%p} on {india:%b} {india.day})" in expiry, expiry
    assert f"{expires.astimezone(UTC):%-I:%M}\u202f" not in expiry  # not this machine's clock
    harness.click(card.buttons["edit_zone"])
    dialog = panel.dialog
    assert isinstance(dialog, ZoneDialog) and not dialog.save.isEnabled()
    assert dialog.zone.currentText() == "Same as the business (Asia/Kolkata)"
    dialog.zone.setEditText("Eastern")
    assert "is not a time zone" in dialog.problem.text() and not dialog.save.isEnabled()
    screenshot(dialog, "contact-zone-bad", size=None)
    dialog.zone.setEditText("America/New_York")
    assert dialog.problem.text() == "" and dialog.save.isEnabled()
    screenshot(dialog, "contact-zone", size=None)
    harness.click(dialog.save)
    harness.run(until(lambda: not dialog.isVisible()))
    harness.run(until(lambda: "Time zone saved: America/New_York" in panel.detail.status.text()))
    card = panel.detail.cards[ada]
    texts = [w.text() for w in card.findChildren(QLabel)]
    assert any(t.startswith("Lives in America/New_York") for t in texts), texts
    screenshot(panel, "contact-zone-set")
    panel.resize(900, 600)
    screenshot(panel, "contact-zone-narrow", size=None)
    panel.resize(1280, 760)
    zone = harness.api("owner").get(f"/api/v1/contacts/{ada}").json()["time_zone"]
    assert zone == "America/New_York"
    # Back to the business's zone.
    harness.click(card.buttons["edit_zone"])
    dialog = panel.dialog
    assert dialog.zone.currentText() == "America/New_York"
    dialog.zone.setCurrentIndex(0)
    harness.click(dialog.save)
    harness.run(until(lambda: not dialog.isVisible()))
    assert harness.api("owner").get(f"/api/v1/contacts/{ada}").json()["time_zone"] is None
    assert harness.errors == []
