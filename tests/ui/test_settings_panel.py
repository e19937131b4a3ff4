"""The Settings panel against a live server: time zone, locale, currency, payment status."""

from __future__ import annotations

from tests.ui.branding_harness import Harness, harness_fixture, screenshot

__all__ = ["harness_fixture"]


def test_time_zone_is_required_and_saved_with_locale_and_currency(harness: Harness) -> None:
    panel = harness.settings()
    view = panel.view
    assert "Choose the business's time zone" in view.errors["time_zone"].text()
    assert "Sandbox" in view.payment.text() and "Test mode" in view.payment.text()
    assert "has not called" in view.payment.text()
    screenshot(panel, "settings-empty")
    view.time_zone.setEditText("Mars/Olympus_Mons")
    assert "Choose a time zone from the list" in view.errors["time_zone"].text()
    view.currency.setEditText("DOLLARS")
    assert "three-letter currency code" in view.errors["currency"].text()
    view.language.setEditText("klingon")
    assert "language and region" in view.errors["locale"].text()
    harness.call(view.save_button.click)
    assert "Fix the fields" in view.status.text()
    screenshot(panel, "settings-error")
    assert harness.api().get("/api/v1/workspace").json()["time_zone"] is None

    view.time_zone.setEditText("America/Los Angeles")
    view.language.setCurrentIndex(view.language.findData("en_GB"))
    view.currency.setCurrentIndex(view.currency.findData("CAD"))
    assert all(not e.isVisibleTo(panel) for e in view.errors.values())
    assert "CA$1,234.50" in view.sample.text() and "UTC" not in view.sample.text()
    harness.call(view.save_button.click)
    assert "Saved" in view.status.text(), view.status.text()
    data = harness.api().get("/api/v1/workspace").json()
    assert (data["time_zone"], data["locale"], data["currency"]) == (
        "America/Los_Angeles",
        "en_GB",
        "CAD",
    )
    screenshot(panel, "settings-full")
    panel.resize(520, 700)
    screenshot(panel, "settings-narrow")


def test_someone_else_saved_first(harness: Harness) -> None:
    panel = harness.settings()
    other = harness.api()
    tag = other.get("/api/v1/workspace").headers["ETag"]
    other.patch("/api/v1/workspace", json={"name": "Renamed"}, headers={"If-Match": tag})
    panel.view.time_zone.setEditText("America/Denver")
    harness.call(panel.view.save_button.click)
    assert "Someone changed the settings meanwhile" in panel.view.status.text()
    assert panel.view.name.text() == "Renamed"
    assert harness.api().get("/api/v1/workspace").json()["time_zone"] is None


def test_dispatcher_sees_why_saving_is_off(harness: Harness) -> None:
    panel = harness.settings("dispatcher")
    assert not panel.view.save_button.isEnabled()
    assert "edit workspace" in panel.view.save_button.toolTip()
