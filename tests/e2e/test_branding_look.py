"""A strongly branded portal and its three emails in real Chromium, at phone and desktop
width: the published logo (and the favicon made from it), bold colours, local times."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import SHOTS, LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e


def _logo() -> bytes:
    """A two-colour logo mark with a word beside it, as an owner's PNG would be."""
    image = Image.new("RGBA", (480, 144), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((6, 6, 138, 138), radius=28, fill=(194, 24, 91, 255))
    draw.polygon([(72, 24), (112, 120), (32, 120)], fill=(255, 214, 0, 255))
    draw.text((160, 40), "Magenta", fill=(194, 24, 91, 255), font_size=56)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _publish(staff: httpx.Client) -> dict[str, object]:
    tag = staff.get("/api/v1/branding").headers["etag"]
    up = staff.post(
        "/api/v1/branding/logo",
        files={"file": ("logo.png", _logo(), "image/png")},
        headers={"If-Match": tag},
    )
    assert up.status_code == 200, up.text
    draft = {
        **up.json()["draft"],
        "brand_name": "Magenta Mechanical & Heating",
        "primary_color": "#c2185b",
        "accent_color": "#ffd600",
        "phone": "(503) 555-0188",
        "email": "office@magenta.example",
        "address": "88 SE Morrison St, Portland, OR 97214",
        "hours": "Mon-Fri 7am-6pm, emergency line 24/7",
        "website": "https://magenta.example",
    }
    saved = staff.put(
        "/api/v1/branding/draft", json=draft, headers={"If-Match": up.headers["etag"]}
    )
    assert saved.status_code == 200, saved.text
    done = staff.post("/api/v1/branding/publish", headers={"If-Match": saved.headers["etag"]})
    assert done.status_code == 200, done.text
    tag = staff.get("/api/v1/workspace").headers["etag"]
    zone = staff.patch(
        "/api/v1/workspace", json={"time_zone": "America/Los_Angeles"}, headers={"If-Match": tag}
    )
    assert zone.status_code == 200, zone.text
    return draft


def test_branded_portal_and_emails(live: LiveServer, page: Page, chromium: Browser) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    staff = ws.client("owner")
    draft = _publish(staff)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    base = f"{live.url}/p/{ws.slug}"

    page.goto(f"{base}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to Magenta Mechanical & Heating"
    )
    logo = page.locator("img.logo")
    assert logo.evaluate("img => img.naturalWidth") > 0
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and page.request.get(f"{live.url}{icon}").ok
    check_page(page, "branded-sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    check_page(page, "branded-home")
    page.get_by_role("link", name="Request service").click()
    page.get_by_label("What do you need?").fill("The boiler is making a knocking noise")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("We received it on")
    assert "UTC" not in page.get_by_role("status").inner_text()
    check_page(page, "branded-request-sent")

    mail = chromium.new_context(viewport={"width": 700, "height": 900})
    reader = mail.new_page()
    for kind in ("invite", "reset", "receipt"):
        email = staff.post(
            "/api/v1/branding/emails/preview", json={"kind": kind, "branding": draft}
        )
        assert email.status_code == 200, email.text
        reader.set_viewport_size({"width": 700, "height": 900})
        reader.set_content(email.json()["html"], wait_until="load")
        assert reader.locator("img").evaluate("img => img.naturalWidth") > 0
        reader.screenshot(path=str(SHOTS / f"email-{kind}-700.png"), full_page=True)
        reader.set_viewport_size({"width": 390, "height": 844})
        reader.screenshot(path=str(SHOTS / f"email-{kind}-390.png"), full_page=True)
    mail.close()
    ws.close()
