"""Bulk invites and email clean-up against a real server, including the server going away."""

from __future__ import annotations

import pytest
from pytestqt.modeltest import ModelTester

from app import access
from tests.ui.access_harness import (  # noqa: F401  (fixtures)
    Harness,
    access_server_fixture,
    harness_fixture,
    screenshot,
    until,
)

pytestmark = pytest.mark.timeout(120)


def test_dry_run_then_real_run_from_the_filtered_list(harness: Harness, qtbot, tmp_path) -> None:
    panel = harness.panel("manager")
    bulk = panel.bulk
    assert bulk is not None
    panel.list.search.setText("pilot")
    harness.run(until(lambda: panel.model.rowCount() == 8))
    bulk.use_current_list()
    assert len(bulk.contact_ids) == 8
    assert not bulk.send.isEnabled()  # a dry run comes first
    harness.call(lambda: bulk.start(dry_run=True))
    harness.run(until(lambda: bulk.model.rowCount() == 8))
    ModelTester(qtbot).check(bulk.model, force_py=True)
    assert {r["outcome"] for r in bulk.model.records} == {"would_invite"}
    assert "Dry run" in bulk.summary.text()
    panel.tabs.setCurrentWidget(bulk)
    screenshot(panel, "dry-run")
    # Nothing was sent by the dry run.
    assert all(panel.model.row_at(r).portal_status == "not_invited" for r in range(8))
    assert bulk.send.isEnabled()
    harness.call(lambda: bulk.start(dry_run=False))
    harness.run(until(lambda: "Invited: 8." in bulk.summary.text() and bulk.dry_run.isEnabled()))
    assert {r["outcome"] for r in bulk.model.records} == {"invited"}
    harness.run(until(lambda: all(panel.model.status_at(r) == "invited" for r in range(8))))
    out = tmp_path / "results.csv"
    bulk.export_csv(out)
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Line,Contact,Email,Result,Detail"
    assert text.count("Invited") == 8


def test_pasted_emails_and_pilot_group(harness: Harness) -> None:
    panel = harness.panel("owner")
    bulk = panel.bulk
    bulk.paste.setPlainText("Ada <ADA@analytical.example>; nobody@nowhere.example\nnot-an-email")
    harness.click(bulk.use_paste)
    assert len(bulk.contact_ids) == 1  # Ada
    # Every pasted line is listed with what became of it, "not-an-email" too.
    assert [(r["email"], r["outcome"]) for r in bulk.model.records] == [
        ("nobody@nowhere.example", "unknown_email"),
        ("not-an-email", "not_an_email"),
    ]
    assert bulk.summary.text() == (
        "2 pasted emails: 1 matched 1 contact; 1 matched no contact. 1 line held no email address."
    )
    harness.click(bulk.pilot)
    pilot_names = {
        r.name for r in panel.model.index_.rows if r.primary_contact_id in bulk.contact_ids
    }
    assert pilot_names == {f"Pilot Customer {i}" for i in range(5)}
    assert bulk.model.rowCount() == 0  # the pasted lines belonged to the paste


def test_server_down_mid_bulk_invite_stops_and_reports(harness: Harness) -> None:
    panel = harness.panel("owner")
    bulk = panel.bulk
    bulk.use_current_list()
    ids = list(bulk.contact_ids)
    calls = {"n": 0}
    real = access.bulk_invite_chunk

    async def flaky(api, contact_ids, *, dry_run):
        calls["n"] += 1
        if calls["n"] == 2:
            # The server goes away: point the client at a port nobody listens on.
            api.base_url = "http://127.0.0.1:9"
        return await real(api, contact_ids, dry_run=dry_run)

    access.bulk_invite_chunk = flaky
    try:
        run = harness.run(access.bulk_invite(panel.ctx.api, ids, dry_run=False, chunk=5))
    finally:
        access.bulk_invite_chunk = real
    assert len(run.results) == 5
    assert {r["outcome"] for r in run.results} <= {
        "invited",
        "invalid_email",
        "no_email",
        "email_shared",
    }
    assert run.not_done == ids[5:]
    assert "Cannot reach the server" in run.stopped
    # The server agrees: exactly the first chunk was invited.
    invited = {
        r["contact_id"]
        for r in harness.api("owner")
        .post("/api/v1/portal-invites/bulk", json={"contact_ids": ids, "dry_run": True})
        .json()["results"]
        if r["outcome"] == "already_invited"
    }
    assert invited == {r["contact_id"] for r in run.results if r["outcome"] == "invited"}
    assert invited and invited <= set(ids[:5])


def test_cancel_stops_between_chunks(harness: Harness) -> None:
    panel = harness.panel("owner")
    run = access.BulkRun(dry_run=True)

    def progress(done, total):
        run.cancel()

    ids = [r.primary_contact_id for r in panel.model.index_.rows if r.primary_contact_id]
    harness.run(
        access.bulk_invite(panel.ctx.api, ids, dry_run=True, chunk=4, progress=progress, run=run)
    )
    assert len(run.results) == 4
    assert run.not_done == ids[4:]
    assert run.stopped.startswith("Cancelled")


def test_email_cleanup_fix_in_place_and_conflict(harness: Harness, qtbot) -> None:
    panel = harness.panel("dispatcher")
    view = panel.cleanup
    harness.call(view.load)
    harness.run(until(lambda: view.model.rowCount() > 0))
    ModelTester(qtbot).check(view.model, force_py=True)
    kinds = {r["kind"] for r in view.model.records}
    assert {"invalid", "missing", "shared"} <= kinds
    panel.tabs.setCurrentWidget(view)
    screenshot(panel, "cleanup")
    row = next(i for i, r in enumerate(view.model.records) if r["kind"] == "invalid")
    harness.call(lambda: view.pick(row))
    harness.run(until(lambda: view.save_button.isEnabled()))
    assert view.email.text() == "not-an-email"
    # A bad address is refused with the server's reason, and nothing is saved.
    view.email.setText("still wrong")
    harness.call(view.save)
    harness.run(until(lambda: view.message.text()))
    assert view.message.text().startswith("Not saved")
    # Someone else fixes it meanwhile: our save is refused (412), theirs stays.
    contact_id = view.model.records[row]["contact_id"]
    theirs = harness.api("owner").get(f"/api/v1/contacts/{contact_id}")
    harness.api("owner").patch(
        f"/api/v1/contacts/{contact_id}",
        json={"email": "bob@fixed.example"},
        headers={"If-Match": theirs.headers["ETag"]},
    ).raise_for_status()
    view.email.setText("bob@mine.example")
    harness.call(view.save)
    harness.run(until(lambda: "someone else changed" in view.message.text()))
    assert (
        harness.api("owner").get(f"/api/v1/contacts/{contact_id}").json()["email"]
        == "bob@fixed.example"
    )
    # Reopen, save: fixed in place.
    harness.call(lambda: view.pick(row))
    harness.run(until(lambda: view.email.text() == "bob@fixed.example"))
    view.email.setText("bob@broken.example")
    harness.call(view.save)
    harness.run(until(lambda: view.model.records[row].get("fixed") == "Fixed"))
    assert view.model.records[row]["email"] == "bob@broken.example"


def test_cleanup_will_not_let_a_dispatcher_move_a_sign_in_email(harness: Harness) -> None:
    # Ada gets a portal account: her email is now a sign-in. Another contact is then given
    # the same address, so the clean-up lists Ada among the shared emails.
    owner = harness.api("owner")
    contact_id = harness.primary_contact(harness.customer_id("Ada Lovelace"))
    invited = owner.post(f"/api/v1/contacts/{contact_id}/portal-invite")
    assert invited.status_code == 201, invited.text
    other = harness.primary_contact(harness.customer_id("Alan Turing"))
    etag = owner.get(f"/api/v1/contacts/{other}").headers["ETag"]
    owner.patch(
        f"/api/v1/contacts/{other}",
        json={"email": "ada@analytical.example"},
        headers={"If-Match": etag},
    ).raise_for_status()
    panel = harness.panel("dispatcher")
    view = panel.cleanup
    harness.call(view.load)
    harness.run(until(lambda: view.model.rowCount() > 0))
    row = next(i for i, r in enumerate(view.model.records) if r["contact_id"] == contact_id)
    harness.call(lambda: view.pick(row))
    harness.run(until(lambda: view.message.text()))
    assert not view.save_button.isEnabled() and not view.email.isEnabled()
    assert "'edit contact email' permission" in view.save_button.toolTip()
    assert "'edit contact email' permission" in view.message.text()
    panel.tabs.setCurrentWidget(view)
    screenshot(panel, "cleanup-sign-in-email-locked")
    # A manager may.
    manager = harness.panel("manager")
    harness.call(manager.cleanup.load)
    harness.run(until(lambda: manager.cleanup.model.rowCount() > 0))
    mrow = next(
        i for i, r in enumerate(manager.cleanup.model.records) if r["contact_id"] == contact_id
    )
    harness.call(lambda: manager.cleanup.pick(mrow))
    harness.run(until(lambda: manager.cleanup.save_button.isEnabled()))
    assert manager.cleanup.message.text() == ""
