"""Fidelity of the preview, the bar the Preview panel is judged by.

For every portal page type, for a contact with and without drafts:

1. the preview's HTML equals the contact's own page byte for byte, apart from the per-session
   form token (with drafts: the preview taken before publishing equals the contact's page
   after publishing them);
2. the layout box of every element is identical in the console's QtWebEngine view (the
   Preview panel's own frame) and in Chromium, at 390 and 1280 CSS pixels.

And a preview writes nothing a customer could notice: sign-in times, sessions, notifications
and the changes feed are as they were; only a staff audit entry is added.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtNetwork import QNetworkCookie
from sqlalchemy import func, select

from server.db.models import AuditEvent, Change, OutboxEmail, PortalAccount, PortalSession
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace
from tests.ui.customers_see_harness import see_server_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.webengine

WIDTHS = (390, 1280)
HEIGHT = 800
VISIBILITY_DRAFT = {
    "fields": {
        "jobs": {"technician_name": False, "address": False},
        "quotes": {"line_costs": True},
        "invoices": {"line_costs": True},
    },
    "status_labels": {"scheduled": "Booked in"},
}
BRANDING_DRAFT = {"brand_name": "Harbour Heating & Plumbing", "primary_color": "#7a2e0e"}
# Pages saved as pictures from both engines, for a person to compare (path after the slug).
SHOTS = {("job", 390): "job-390", ("home", 1280): "home-1280", ("quote", 390): "quote-390"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "console"
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')

# Every element's tag and box, in document order (our own inspector box excluded).
BOXES = """
(function () {
  var out = [];
  var all = document.querySelectorAll('*');
  for (var i = 0; i < all.length; i++) {
    var r = all[i].getBoundingClientRect();
    out.push([all[i].tagName, r.x + window.scrollX, r.y + window.scrollY, r.width, r.height]);
  }
  return JSON.stringify({width: window.innerWidth, boxes: out});
})()
"""
# Photos load lazily, and an engine loads those below the fold when it likes: both are asked
# to load every image now, and are measured once fonts and images are in.
EAGER = "Array.from(document.images).forEach(function (i) { i.loading = 'eager'; }); true"
READY = (
    "document.readyState === 'complete' && document.fonts.status === 'loaded' && "
    "Array.from(document.images).every(function (i) { return i.complete; })"
)


def pages(c: PortalCustomer) -> dict[str, str]:
    """Every page type of the portal, by name, as a path under the portal."""
    ids = c.ids
    return {
        "home": "/",
        "jobs": "/jobs",
        "job": f"/jobs/{ids['job']}",
        "quotes": "/quotes",
        "quote": f"/quotes/{ids['quote']}",
        "invoices": "/invoices",
        "invoice": f"/invoices/{ids['invoice']}",
        "pay": f"/invoices/{ids['invoice']}/pay",
        "documents": "/documents",
        "request": "/request",
        "account": "/account/password",
    }


def strip(html: str) -> str:
    """The page without its per-session form token."""
    return CSRF.sub('name="csrf_token" value=""', html)


class Preview:
    """A preview session opened from its link, as the console's frame would."""

    def __init__(self, base: str, ws: TestWorkspace, contact_id: int, **options: bool) -> None:
        link = ws.client("manager").post(
            "/api/v1/previews", json={"contact_id": contact_id, **options}
        )
        assert link.status_code == 201, link.text
        self.browser = Browser(base, ws.slug)
        opened = self.browser.client.get(link.json()["url"])
        assert opened.status_code == 303
        self.cookie = self.browser.client.cookies["tb_portal"]

    def get(self, path: str) -> httpx.Response:
        """A page of the preview."""
        return self.browser.get(path)


@pytest.fixture(name="world")
def world_fixture(
    see_server: tuple[Any, str],
) -> Iterator[tuple[Any, str, TestWorkspace, PortalCustomer]]:
    """A workspace with a customer whose contact is signed in, and its records."""
    app, base = see_server
    ws = make_workspace(app.state.sessionmaker, base)
    customer = make_customer(app.state.sessionmaker, ws.id, ws.slug)
    yield app, base, ws, customer
    ws.close()


def _publish_drafts(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    for path, draft in (("visibility-policy", VISIBILITY_DRAFT), ("branding", None)):
        tag = c.get(f"/api/v1/{path}").headers["etag"]
        if draft is None:
            body = {**c.get("/api/v1/branding").json()["published"], **BRANDING_DRAFT}
            body.pop("logo_file_id", None)
            r = c.put("/api/v1/branding/draft", json=body, headers={"If-Match": tag})
        else:
            r = c.put(f"/api/v1/{path}/draft", json=draft, headers={"If-Match": tag})
        assert r.status_code == 200, r.text


def _publish(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    for path in ("visibility-policy", "branding"):
        tag = c.get(f"/api/v1/{path}").headers["etag"]
        r = c.post(f"/api/v1/{path}/publish", headers={"If-Match": tag})
        assert r.status_code == 200, r.text


def _noticeable(app: Any, ws_id: int, account_id: int) -> tuple[Any, ...]:
    """Everything about the contact a customer could notice."""
    with app.state.sessionmaker() as db:
        account = db.get(PortalAccount, account_id)
        assert account is not None
        sessions = db.scalars(
            select(PortalSession.id, PortalSession.last_seen_at).where(
                PortalSession.account_id == account_id, PortalSession.preview_by_id.is_(None)
            )
        ).all()
        return (
            account.last_sign_in_at,
            account.status,
            account.failed_attempts,
            tuple(sessions),
            db.scalar(
                select(func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.workspace_id == ws_id)
            ),
            db.scalar(select(func.max(Change.seq)).where(Change.workspace_id == ws_id)),
        )


def test_preview_html_equals_the_contacts_own_pages(
    world: tuple[Any, str, TestWorkspace, PortalCustomer],
) -> None:
    app, base, ws, customer = world
    own = Browser(base, ws.slug)
    assert own.sign_in(customer.email).status_code == 303
    before = _noticeable(app, ws.id, customer.account_id)
    audits = _audit_count(app, ws.id)
    plain = Preview(base, ws, customer.contact_id)
    for name, path in pages(customer).items():
        mine, seen = own.get(path), plain.get(path)
        assert seen.status_code == mine.status_code == 200, (name, seen.status_code)
        assert strip(seen.text) == strip(mine.text), name
    # With drafts saved: the preview without drafts is still the contact's page, and the
    # preview with drafts is the contact's page once they are published.
    assert _noticeable(app, ws.id, customer.account_id) == before
    _publish_drafts(ws)
    before = _noticeable(app, ws.id, customer.account_id)
    drafted = Preview(
        base, ws, customer.contact_id, use_draft_visibility=True, use_draft_branding=True
    )
    plain = Preview(base, ws, customer.contact_id)
    with_drafts = {}
    for name, path in pages(customer).items():
        mine, seen = own.get(path), plain.get(path)
        assert strip(seen.text) == strip(mine.text), f"{name} without drafts"
        with_drafts[name] = drafted.get(path)
        assert "Harbour Heating" in with_drafts[name].text, name
    assert "Tech Ray" not in with_drafts["job"].text
    after = _noticeable(app, ws.id, customer.account_id)
    assert after == before  # nothing a customer could notice; the drafts' changes are staff's
    assert _audit_count(app, ws.id) - audits == 3 + 2  # three previews, two drafts saved
    _publish(ws)
    for name, path in pages(customer).items():
        mine = own.get(path)
        assert strip(with_drafts[name].text) == strip(mine.text), f"{name} with drafts"
    own.close()


def _audit_count(app: Any, ws_id: int) -> int:
    with app.state.sessionmaker() as db:
        return int(
            db.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.workspace_id == ws_id)
            )
            or 0
        )


def test_coming_soon_preview_equals_the_public_page(see_server: tuple[Any, str]) -> None:
    app, base = see_server
    ws = make_workspace(app.state.sessionmaker, base, portal_status="coming_soon")
    try:
        customer = make_customer(app.state.sessionmaker, ws.id, ws.slug)
        public = Browser(base, ws.slug).get("/")
        soon = Preview(base, ws, customer.contact_id, show_coming_soon=True)
        assert strip(soon.get("/").text) == strip(public.text)
        assert soon.get("/jobs").text == soon.get("/").text  # every path is the placeholder
    finally:
        ws.close()


# -- layout: QtWebEngine (the console's preview frame) against Chromium ----------------------


def _qt_boxes(qtbot: Any, frame: Any, url: str, cookie: str, width: int) -> dict[str, Any]:
    parsed = QUrl(url)
    origin = QUrl(f"{parsed.scheme()}://{parsed.authority()}")
    jar = QNetworkCookie(b"tb_portal", cookie.encode())
    jar.setPath(parsed.path().split("/", 3)[0] or "/")
    frame.profile.cookieStore().setCookie(jar, origin)
    frame.set_width(width)
    assert frame.scale == 1.0
    frame.page.origin = origin.toString()
    frame.page.base_path = "/p/"
    with qtbot.waitSignal(frame.view.loadFinished, timeout=30_000):
        frame.view.load(QUrl(url))
    _js(qtbot, frame, EAGER)
    _wait_js(qtbot, frame, READY, True)
    found = _js(qtbot, frame, BOXES)
    return json.loads(found)


def _js(qtbot: Any, frame: Any, script: str) -> Any:
    box: list[Any] = []
    frame.run_js(script, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=20_000)
    return box[0]


def _wait_js(qtbot: Any, frame: Any, script: str, expected: Any) -> None:
    deadline = time.monotonic() + 20
    while _js(qtbot, frame, script) != expected:
        assert time.monotonic() < deadline, script
        qtbot.wait(50)


@pytest.fixture(name="frame")
def frame_fixture(qtbot: Any) -> Iterator[Any]:
    """The Preview panel's own frame, wide enough for the desktop width at actual size."""
    from ui.panels.preview.frame import PreviewFrame

    frame = PreviewFrame("fidelity")
    frame.resize(1400, HEIGHT + 40)
    frame.show()
    qtbot.waitExposed(frame)
    yield frame
    frame.close_page()
    qtbot.wait(50)
    frame.deleteLater()


@pytest.fixture(name="chromium", scope="module")
def chromium_fixture() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def _chromium_boxes(
    chromium: Any,
    base: str,
    slug: str,
    url: str,
    cookie: str,
    width: int,
    height: int,
    shot: str | None = None,
) -> dict[str, Any]:
    context = chromium.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1
    )
    context.add_cookies(
        [{"name": "tb_portal", "value": cookie, "domain": "127.0.0.1", "path": f"/p/{slug}"}]
    )
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate(EAGER)
    deadline = time.monotonic() + 20
    while not page.evaluate(READY):  # (wait_for_function evaluates strings: the CSP refuses)
        assert time.monotonic() < deadline, url
        page.wait_for_timeout(50)
    found = json.loads(page.evaluate(BOXES))
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"fidelity-{shot}-chromium.png"), full_page=True)
    context.close()
    return found


def test_coming_soon_layout_is_identical(
    see_server: tuple[Any, str], frame: Any, chromium: Any, qtbot: Any
) -> None:
    app, base = see_server
    ws = make_workspace(app.state.sessionmaker, base, portal_status="coming_soon")
    try:
        customer = make_customer(app.state.sessionmaker, ws.id, ws.slug)
        soon = Preview(base, ws, customer.contact_id, show_coming_soon=True)
        url = f"{base}/p/{ws.slug}/"
        for width in WIDTHS:
            qt = _qt_boxes(qtbot, frame, url, soon.cookie, width)
            height = _js(qtbot, frame, "window.innerHeight")
            chrome = _chromium_boxes(chromium, base, ws.slug, url, soon.cookie, width, height)
            assert qt == chrome, width
    finally:
        ws.close()


@pytest.mark.parametrize("drafts", [False, True], ids=["published", "drafts"])
def test_layout_boxes_are_identical_in_qtwebengine_and_chromium(
    world: tuple[Any, str, TestWorkspace, PortalCustomer],
    frame: Any,
    chromium: Any,
    qtbot: Any,
    drafts: bool,
) -> None:
    _app, base, ws, customer = world
    options = {"use_draft_visibility": True, "use_draft_branding": True} if drafts else {}
    if drafts:
        _publish_drafts(ws)
    preview = Preview(base, ws, customer.contact_id, **options)
    height = None
    mismatched: list[str] = []
    for name, path in pages(customer).items():
        url = f"{base}/p/{ws.slug}{path}"
        for width in WIDTHS:
            qt = _qt_boxes(qtbot, frame, url, preview.cookie, width)
            shot = SHOTS.get((name, width)) if not drafts else None
            if shot:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                frame.view.grab().save(str(SCREENSHOTS / f"fidelity-{shot}-qtwebengine.png"))
            height = height or _js(qtbot, frame, "window.innerHeight")
            chrome = _chromium_boxes(
                chromium, base, ws.slug, url, preview.cookie, width, height, shot
            )
            assert qt["width"] == chrome["width"] == width, (name, width)
            assert len(qt["boxes"]) == len(chrome["boxes"]) > 20, (name, width)
            for a, b in zip(qt["boxes"], chrome["boxes"], strict=True):
                if a != b:
                    mismatched.append(f"{name} at {width}: {a} in QtWebEngine, {b} in Chromium")
                    break
    assert not mismatched, "\n".join(mismatched)
