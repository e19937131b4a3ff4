"""End-to-end fixtures: a live portal server on SQLite and the system Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from server.app import create_app
from server.db import migrate
from server.settings import Settings
from tests.support.live_server import free_port, serve_in_thread

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "portal"


@dataclass
class LiveServer:
    """A live server and direct database access to arrange rows."""

    url: str
    sessionmaker: sessionmaker[Session]


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the e2e run."""
    folder = tmp_path_factory.mktemp("e2e")
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'portal.sqlite3'}",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings)
    migrate.upgrade(app.state.engine)
    with serve_in_thread(app, port) as url:
        yield LiveServer(url, app.state.sessionmaker)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (own cookies) at desktop width."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def check_page(page: Page, name: str) -> None:
    """Run axe-core on the page (no serious or critical violation) and save screenshots
    at desktop and phone width."""
    # Evaluated over the DevTools protocol: the page's strict CSP stays on.
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
        "'wcag21aa', 'best-practice']})).violations"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1280, "height": 900}
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)
