"""A Lighthouse-style look at portal pages in real Chromium, at phone and desktop width.

What the audits of performance, SEO and best practices check that the server decides:
long-lived caching of fingerprinted styles and fonts (the theme too), compressed text, a
favicon that loads, a title and a meta description, a language, a viewport, a robots.txt
that lets the page be crawled, no failed requests and no console errors. Accessibility is
axe-core's part (``check_page``), which also saves the screenshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Response, expect

from tests.e2e.conftest import LiveServer, check_page
from tests.server.portal.fixtures import PASSWORD, make_customer
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.e2e
YEAR = "max-age=31536000"


@dataclass
class Seen:
    """Every response and console error of a page load."""

    responses: list[Response] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _watch(page: Page) -> Seen:
    seen = Seen()

    def answered(response: Response) -> None:
        seen.responses.append(response)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.errors.append(message.text)

    def crashed(error: Error) -> None:
        seen.errors.append(str(error))

    page.on("response", answered)
    page.on("console", console)
    page.on("pageerror", crashed)
    return seen


def _audit(page: Page, seen: Seen, live: LiveServer, name: str) -> None:
    """The checks on one loaded page, then axe and the screenshots at 1280 and 390 px."""
    page.wait_for_load_state("networkidle")  # preloads a page has not used yet included
    assert not seen.errors, seen.errors
    failed = [(r.url, r.status) for r in seen.responses if r.status >= 400]
    assert not failed, failed
    for r in seen.responses:
        kind = r.headers.get("content-type", "")
        path = urlsplit(r.url).path
        if kind.startswith(("text/css", "font/")) or path.endswith((".css", ".woff2")):
            assert YEAR in r.headers.get("cache-control", ""), (r.url, r.headers)
            assert "immutable" in r.headers["cache-control"], r.url
        if (
            kind.startswith(("text/html", "text/css"))
            and int(r.headers.get("content-length", "1000")) >= 500
        ):
            assert r.headers.get("content-encoding") == "gzip", (r.url, r.headers)
    fonts = [r for r in seen.responses if urlsplit(r.url).path.endswith(".woff2")]
    assert fonts, "the page's own font was not loaded"
    # The text faces are preloaded (a face loaded after the first layout shifted the page)
    # from the very addresses the stylesheet uses, so the preloads are what the page uses.
    preloaded = page.locator('link[rel="preload"][as="font"]').evaluate_all(
        "links => links.map(l => l.href)"
    )
    assert len(preloaded) == 2 and set(preloaded) <= {r.url for r in fonts}, preloaded
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title().strip()
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description and len(description) >= 50, description
    assert page.locator('meta[name="viewport"]').count() == 1
    assert page.locator('meta[name="robots"]').count() == 0  # nothing says noindex
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert icon
    answer = page.request.get(urljoin(page.url, icon))
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/")
    robots = httpx.get(f"{live.url}/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    blocked = [
        line.split(":", 1)[1].strip()
        for line in robots.text.splitlines()
        if line.lower().startswith("disallow:")
    ]
    path = urlsplit(page.url).path
    assert not any(b and path.startswith(b) for b in blocked), (path, blocked)
    # Audit tools read robots.txt from inside the page, so the page's policy must allow it.
    assert page.evaluate("fetch('/robots.txt').then(r => r.status)") == 200
    check_page(page, name)


def test_sign_in_and_home_pass_the_audits(live: LiveServer, page: Page) -> None:
    ws = make_workspace(live.sessionmaker, live.url)
    person = make_customer(live.sessionmaker, ws.id, ws.slug)
    seen = _watch(page)
    page.goto(f"{live.url}/p/{ws.slug}/sign-in")
    _audit(page, seen, live, "audit-sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    seen.responses.clear()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    page.reload()  # a second view: styles and fonts come from the browser's cache
    _audit(page, seen, live, "audit-home")
    ws.close()


def test_static_addresses_and_their_bad_forms(live: LiveServer) -> None:
    page = httpx.get(f"{live.url}/p/nowhere/sign-in")  # an unknown portal still links them
    css = next(
        part.split('"')[0]
        for part in page.text.split('href="')[1:]
        if part.split('"')[0].endswith("portal.css")
    )
    version = css.split("/")[3]
    fresh = httpx.get(f"{live.url}{css}", headers={"Accept-Encoding": "gzip"})
    assert fresh.status_code == 200 and "immutable" in fresh.headers["cache-control"]
    assert fresh.headers["content-encoding"] == "gzip"
    font = httpx.get(
        f"{live.url}/static/v/{version}/fonts/atkinson-hyperlegible-latin-400-normal.woff2"
    )
    assert font.status_code == 200 and "immutable" in font.headers["cache-control"]
    assert "content-encoding" not in font.headers  # already compressed
    old = httpx.get(f"{live.url}/static/v/0123456789ab/portal.css")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    plain = httpx.get(f"{live.url}/static/portal.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    for bad in (
        f"/static/v/{version}/missing.css",
        f"/static/v/{version}/../../server/app.py",
        f"/static/v/{version}/%2e%2e/%2e%2e/pyproject.toml",
        "/static/v/",
    ):
        assert httpx.get(f"{live.url}{bad}").status_code == 404, bad
    icon = httpx.get(f"{live.url}/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/")
    api = httpx.get(f"{live.url}/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in api.headers  # the API chooses for itself
