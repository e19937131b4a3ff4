"""The "What customers see" panel: editing a draft, the exposure check, publishing and
discarding under the ETag rules, someone else's change in between, and read-only roles."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from tests.ui.customers_see_harness import (  # noqa: F401  (fixtures)
    Harness,
    screenshot,
    see_fixture,
    see_server_fixture,
)


def _etag(see: Harness) -> str:
    return see.api("manager").get("/api/v1/visibility-policy").headers["etag"]


def _press(dialog: QMessageBox, text: str) -> None:
    button = next(b for b in dialog.buttons() if b.text() == text)
    button.click()


def test_edit_check_save_and_publish(see: Harness) -> None:
    window = see.window("manager")
    # The Preview panel is built without starting QtWebEngine: no web view until it is shown.
    preview = see.call(lambda: window.panel("preview"))
    assert preview is not None and not preview.frames
    window.select_panel("visibility")
    panel = window.panel("visibility")
    see.wait(lambda: panel.state is not None and panel.report is not None)
    screenshot(window, "visibility-empty")
    assert "No draft" in panel.view.state.text()
    assert not panel.view.publish.isEnabled() and panel.view.publish.toolTip()
    prices = panel.view.switches.boxes["quotes.line_costs"]
    see.call(lambda: prices.setChecked(True))
    see.call(panel.check)
    assert prices.property("changed") is True
    assert "line prices on quotes on 1 quote for 1 contact" in panel.view.exposure.summary.text()
    tree = panel.view.exposure.tree
    assert tree.topLevelItemCount() == 1 and tree.topLevelItem(0).childCount() == 1
    screenshot(window, "visibility-full")
    see.call(lambda: panel.view.save.click())
    assert see.api("manager").get("/api/v1/visibility-policy").json()["draft"] is not None
    see.call(panel.ask_publish)
    assert "line prices on quotes" in panel.dialog.text()
    see.call(lambda: _press(panel.dialog, "Publish"))
    doc = see.api("manager").get("/api/v1/visibility-policy").json()
    assert doc["published"]["fields"]["quotes"]["line_costs"] is True and doc["draft"] is None
    assert "Published" in panel.view.state.text() and not see.errors
    window.resize(760, 600)
    screenshot(window, "visibility-narrow")


def test_cancel_publishes_nothing_and_discard_drops_the_draft(see: Harness) -> None:
    window = see.window("owner")
    window.select_panel("visibility")
    panel = window.panel("visibility")
    see.wait(lambda: panel.state is not None)
    see.call(lambda: panel.view.switches.boxes["section.photos"].setChecked(False))
    see.call(panel.ask_publish)
    see.call(lambda: _press(panel.dialog, "Cancel"))
    doc = see.api().get("/api/v1/visibility-policy").json()
    assert doc["published"]["sections"]["photos"] is True and doc["draft"] is None
    see.call(lambda: panel.view.save.click())
    see.call(panel.ask_discard)
    see.call(lambda: _press(panel.dialog, "Discard draft"))
    assert see.api().get("/api/v1/visibility-policy").json()["draft"] is None
    assert panel.view.switches.boxes["section.photos"].isChecked()


def test_someone_elses_change_is_shown_and_mine_reapplied_on_top(see: Harness) -> None:
    window = see.window("manager")
    window.select_panel("visibility")
    panel = window.panel("visibility")
    see.wait(lambda: panel.state is not None)
    # Someone else saves a draft hiding technician names meanwhile.
    other = {"fields": {"jobs": {"technician_name": False}}}
    r = see.api("owner").put(
        "/api/v1/visibility-policy/draft", json=other, headers={"If-Match": _etag(see)}
    )
    assert r.status_code == 200
    see.call(lambda: panel.view.switches.boxes["jobs.address"].setChecked(False))
    see.call(lambda: panel.view.save.click())
    assert panel.view.conflict.isVisible()
    text = panel.view.conflict.text.text()
    assert "Technician names: now hidden" in text and "Job addresses" in text
    assert "Nothing was saved" in text
    screenshot(window, "visibility-conflict")
    draft = see.api().get("/api/v1/visibility-policy").json()["draft"]
    assert draft["fields"]["jobs"]["address"] is True  # nothing overwritten
    see.call(lambda: panel.view.conflict.reapply.click())
    see.call(lambda: panel.view.save.click())
    draft = see.api().get("/api/v1/visibility-policy").json()["draft"]
    assert draft["fields"]["jobs"]["address"] is False
    assert draft["fields"]["jobs"]["technician_name"] is False  # theirs kept


def test_a_draft_discarded_elsewhere_is_not_published_by_accident(see: Harness) -> None:
    window = see.window("manager")
    window.select_panel("visibility")
    panel = window.panel("visibility")
    see.wait(lambda: panel.state is not None)
    see.call(lambda: panel.view.switches.boxes["invoices.payments"].setChecked(False))
    see.call(lambda: panel.view.save.click())
    assert (
        see.api()
        .delete("/api/v1/visibility-policy/draft", headers={"If-Match": _etag(see)})
        .status_code
        == 200
    )
    see.call(panel.ask_publish)
    see.call(lambda: _press(panel.dialog, "Publish"))
    doc = see.api().get("/api/v1/visibility-policy").json()
    assert doc["published"]["fields"]["invoices"]["payments"] is True and doc["draft"] is None
    assert panel.view.conflict.isVisible()
    assert "discarded the draft" in panel.view.conflict.text.text()
    see.call(lambda: panel.view.conflict.theirs.click())
    assert panel.view.switches.boxes["invoices.payments"].isChecked()


def test_a_dispatcher_sees_the_policy_but_cannot_change_it(see: Harness) -> None:
    window = see.window("dispatcher")
    window.select_panel("visibility")
    panel = window.panel("visibility")
    see.wait(lambda: panel.state is not None)
    box = panel.view.switches.boxes["jobs.address"]
    assert not box.isEnabled() and "edit visibility" in box.toolTip()
    assert not panel.view.publish.isEnabled() and "edit visibility" in panel.view.publish.toolTip()
    assert panel.view.check.isEnabled()
    items = [window.sidebar.item(i) for i in range(window.sidebar.count())]
    files = next(i for i in items if i.data(256) == "files")
    assert "review files" in files.toolTip() or "cannot use" in files.toolTip()
    screenshot(window, "visibility-dispatcher")
