"""The Branding panel against a live server: typing, checks beside fields, the preview the
server renders, drafts, publishing, conflicts, logos, colours, emails and the address."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.ui.branding_harness import LOGO_SVG, Harness, harness_fixture, png, screenshot, until
from ui.panels.branding.dialogs import ConflictDialog, PublishDialog

__all__ = ["harness_fixture"]


def _draft(h: Harness) -> dict | None:
    return h.api().get("/api/v1/branding").json()["draft"]


def test_opens_on_what_customers_see_and_previews_the_sign_in_page(harness: Harness) -> None:
    panel = harness.branding()
    assert panel.rows["brand_name"].text() == f"Workspace {harness.ws.slug}"
    assert "what customers see now" in panel.status.text()
    assert not panel.publish_button.isEnabled()
    view = panel.preview.view
    harness.run(until(lambda: view.shown))
    html, base = view.shown[-1]
    assert f"Sign in to Workspace {harness.ws.slug}" in html
    assert base.endswith(f"/p/{harness.ws.slug}/")
    screenshot(panel, "branding-empty")


def test_typing_updates_the_preview_and_saves_a_draft(harness: Harness) -> None:
    panel = harness.branding()
    harness.type_into(panel, "brand_name", "Evergreen Plumbing")
    harness.run(until(lambda: "Evergreen Plumbing" in panel.preview.view.shown[-1][0]))
    harness.run(until(lambda: (_draft(harness) or {}).get("brand_name") == "Evergreen Plumbing"))
    assert "not published yet" in panel.status.text()
    assert panel.publish_button.isEnabled()
    published = harness.api().get("/api/v1/branding").json()["published"]
    assert published["brand_name"] != "Evergreen Plumbing"


def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(harness: Harness) -> None:
    panel = harness.branding()
    cases = {
        "email": ("office-at-example", "not an email"),
        "website": ("example.com", "https://"),
        "phone": ("call us!", "digits"),
        "primary_color": ("#12345", "#1F5F8B"),
        "invite_subject": ("Hi {first_name}", "Unknown placeholder {first_name}"),
        "receipt_message": ("Paid {amount", "brace is not closed"),
        "brand_name": ("", "recognise you"),
    }
    for field, (typed, words) in cases.items():
        harness.type_into(panel, field, typed)
        assert words in (panel.rows[field].problem or ""), (field, panel.rows[field].problem)
        assert not panel.publish_button.isEnabled()
    harness.call(panel._on_save_due)
    assert _draft(harness) is None
    screenshot(panel, "branding-errors")
    # Fixing a field clears its message at once.
    harness.type_into(panel, "email", "office@evergreen.example")
    assert panel.rows["email"].problem is None


def test_colour_without_contrast_offers_the_nearest_passing_shade(harness: Harness) -> None:
    panel = harness.branding()
    harness.type_into(panel, "primary_color", "#777777")
    row = panel.colours.colours["primary_color"]
    assert "below WCAG AA" in row.contrast.text() and "4.47:1" in row.contrast.text()
    assert row.fix_button.isVisibleTo(panel)
    harness.call(row.fix_button.click)
    assert panel.rows["primary_color"].text() == "#767676"
    assert "passes WCAG AA" in row.contrast.text()
    assert not row.fix_button.isVisibleTo(panel)


def test_publish_shows_what_changes_and_publishes(harness: Harness) -> None:
    panel = harness.branding()
    harness.type_into(panel, "brand_name", "Evergreen Plumbing")
    harness.type_into(panel, "phone", "(503) 555-0100")
    panel.publish_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, PublishDialog)
    table = dialog.table.toPlainText()
    assert "Brand name" in table and "Evergreen Plumbing" in table and "(503) 555-0100" in table
    harness.call(dialog.publish_button.click)
    doc = harness.api().get("/api/v1/branding").json()
    assert doc["published"]["brand_name"] == "Evergreen Plumbing"
    assert doc["published"]["phone"] == "(503) 555-0100"
    assert doc["draft"] is None
    assert "Published" in panel.status.text()


def test_someone_else_published_meanwhile_and_my_edits_are_reapplied(harness: Harness) -> None:
    panel = harness.branding()
    other = harness.api("owner")
    tag = other.get("/api/v1/branding").headers["ETag"]
    body = {**other.get("/api/v1/branding").json()["published"], "hours": "Mon-Fri 8-4"}
    r = other.put("/api/v1/branding/draft", json=body, headers={"If-Match": tag})
    other.post("/api/v1/branding/publish", headers={"If-Match": r.headers["ETag"]})

    harness.type_into(panel, "brand_name", "Evergreen Plumbing")
    harness.call(panel._on_save_due)
    dialog = panel.dialog
    assert isinstance(dialog, ConflictDialog)
    assert "Opening hours" in dialog.table.toPlainText()
    assert "Mon-Fri 8-4" in dialog.table.toPlainText()
    harness.call(dialog.reapply_button.click)
    draft = _draft(harness)
    assert draft is not None
    assert draft["brand_name"] == "Evergreen Plumbing" and draft["hours"] == "Mon-Fri 8-4"
    assert panel.rows["hours"].text() == "Mon-Fri 8-4"


def test_svg_logo_is_rasterised_and_uploaded(harness: Harness, tmp_path: Path) -> None:
    panel = harness.branding()
    path = tmp_path / "logo.svg"
    path.write_bytes(LOGO_SVG)
    harness.call(lambda: panel.logo.upload_file(str(path)))
    assert panel.logo_card.problem.isHidden(), panel.logo_card.problem.text()
    draft = _draft(harness)
    assert draft and draft["logo_file_id"]
    logo = harness.api().get(f"/api/v1/branding/logo/{draft['logo_file_id']}")
    assert logo.headers["content-type"] == "image/png"
    with Image.open(__import__("io").BytesIO(logo.content)) as img:
        assert img.size == (475, 144)
    screenshot(panel, "branding-full")


def test_bad_logos_get_a_plain_message(harness: Harness, tmp_path: Path) -> None:
    panel = harness.branding()
    cases = {
        "notes.png": (b"just some text, not an image", "not a PNG, JPEG, WebP or SVG"),
        "script.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "script",
        ),
        "remote.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://evil.example/x.png" width="10" height="10"/></svg>',
            "another file or web address",
        ),
        "onload.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"></svg>', "event"),
        "entity.svg": (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DOCTYPE",
        ),
    }
    for name, (data, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        harness.call(lambda p=path: panel.logo.upload_file(str(p)))
        assert words in panel.logo_card.problem.text(), (name, panel.logo_card.problem.text())
    assert _draft(harness) is None  # nothing half-done


def test_small_wide_and_transparent_logos_are_warned_about(
    harness: Harness, tmp_path: Path
) -> None:
    panel = harness.branding()
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(png(20, 20))
    harness.call(lambda: panel.logo.upload_file(str(tiny)))
    assert "blurry" in panel.logo_card.warnings.text()
    wide = tmp_path / "wide.png"
    wide.write_bytes(png(1200, 100))
    harness.call(lambda: panel.logo.upload_file(str(wide)))
    assert "very wide" in panel.logo_card.warnings.text()
    dark = tmp_path / "light-ink.png"
    image = Image.new("RGBA", (300, 150), (0, 0, 0, 0))
    for x in range(100, 200):
        for y in range(50, 100):
            image.putpixel((x, y), (250, 245, 230, 255))  # cream ink, made for dark paper
    image.save(dark)
    harness.call(lambda: panel.logo.upload_file(str(dark)))
    assert "transparent background" in panel.logo_card.warnings.text()


def test_emails_preview_as_sent_and_test_email_goes_through_the_outbox(harness: Harness) -> None:
    panel = harness.branding()
    harness.type_into(panel, "reset_subject", "Password help from {brand_name}")
    harness.call(lambda: panel.preview.select("reset"))
    harness.run(until(lambda: "Password help from" in panel.preview.subject.text()))
    assert "Choose a new password" in panel.preview.view.shown[-1][0]
    harness.call(lambda: panel.preview.plain.setChecked(True))
    harness.run(until(lambda: "Choose a new password here:" in panel.preview.text.toPlainText()))
    harness.call(lambda: panel.emails.tabs.setCurrentIndex(1))
    harness.call(panel.emails.test_button.click)
    assert harness.ws.emails["owner"] in panel.emails.status.text()
    with harness.live.sessionmaker() as db:
        from sqlalchemy import select

        from server.db.models import OutboxEmail

        row = db.scalar(
            select(OutboxEmail).where(
                OutboxEmail.workspace_id == harness.ws.id, OutboxEmail.kind == "test_reset"
            )
        )
        assert row is not None and row.to_address == harness.ws.emails["owner"]
        assert row.subject.startswith("Password help from Workspace")


def test_portal_address_qr_and_slug_change(harness: Harness, tmp_path: Path) -> None:
    panel = harness.branding()
    ctl = panel.address_ctl
    harness.call(lambda: ctl.save_qr(str(tmp_path / "qr.png")))
    harness.call(lambda: ctl.save_qr(str(tmp_path / "qr.svg")))
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "qr.svg").read_bytes()
    old = harness.ws.slug
    for typed, words in (("api", "reserved"), ("A b", "lower-case"), (old, "already")):
        panel.address.slug.set_text(typed)
        panel.address.change_requested.emit(typed)
        assert words in (panel.address.slug.problem or ""), (typed, panel.address.slug.problem)
    new = f"{old}-new"
    harness.call(lambda: ctl.change(new))
    assert panel.address.url.text().endswith(f"/p/{new}/")
    assert f"/p/{old}/" in panel.address.former.text()
    moved = harness.api().get(f"/p/{old}/sign-in", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/p/{new}/sign-in"


def test_dispatcher_sees_why_editing_is_off(harness: Harness) -> None:
    harness.ws  # dispatchers lack the preview permission by default; managers may preview
    panel = harness.branding("manager")
    if panel.can_edit:
        return
    assert not panel.publish_button.isEnabled()
    assert "edit branding" in panel.publish_button.toolTip()
    assert panel.rows["brand_name"].edit.isReadOnly()


def test_server_unreachable_is_said_in_the_panel(harness: Harness) -> None:
    from ui.panels.branding import BrandingPanel
    from ui.resources import stylesheet

    ctx = harness.context("owner")
    ctx.api.base_url = "http://127.0.0.1:9"  # nothing listens there
    panel = BrandingPanel(
        ctx,
        view_factory=lambda: __import__(
            "tests.ui.branding_harness", fromlist=["RecordingView"]
        ).RecordingView(),
    )
    panel.setStyleSheet(stylesheet())
    panel.resize(1280, 800)

    async def show() -> None:
        panel.show()
        await until(lambda: "could not be loaded" in panel.status.text())

    harness.run(show())
    assert "Cannot reach the server" in panel.status.text()
    assert any("Cannot reach the server" in e for e in harness.errors)
    assert not panel.publish_button.isEnabled()
    screenshot(panel, "branding-error")


def test_preview_as_a_customer_saves_the_draft_first(harness: Harness) -> None:
    panel = harness.branding()
    harness.type_into(panel, "hours", "Mon-Sat 7-7")
    harness.call(panel._save_timer.stop)
    harness.call(panel.customer_button.click)
    assert (_draft(harness) or {}).get("hours") == "Mon-Sat 7-7"
    # Outside the main window there is no Preview panel to open: the panel says so.
    assert "Preview panel is not available" in panel.status.text()
