"""A live server, a fresh workspace and the Branding or Settings panel wired as the console
wires them, on a qasync loop. The preview's HTML view is either the real QtWebEngine view
(tests marked ``webengine``) or a recorder that keeps what the server rendered."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PIL import Image
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import QWidget

from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine
from tests.support.console_server import LiveServer
from tests.support.workspaces import TestWorkspace, make_workspace
from tests.ui.episode_loop import EpisodeLoop
from ui.context import PanelContext
from ui.operations import Operations
from ui.panels.branding import BrandingPanel
from ui.panels.branding.preview import HtmlView
from ui.panels.settings import SettingsPanel
from ui.resources import stylesheet

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "console"

LOGO_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 330 100" width="330" height="100">
  <rect x="4" y="4" width="92" height="92" rx="18" fill="#0b6e4f"/>
  <path d="M50 20 C70 45 70 60 50 80 C30 60 30 45 50 20 Z" fill="#ffffff"/>
  <text x="108" y="63" font-family="sans-serif" font-size="36" font-weight="700"
        fill="#0b6e4f">Evergreen</text>
</svg>"""


def png(width: int, height: int, colour: tuple[int, int, int, int] = (11, 110, 79, 255)) -> bytes:
    """A PNG of one colour (alpha 0 makes it see-through)."""
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, "PNG")
    return out.getvalue()


class RecordingView(HtmlView):
    """Keeps the documents it was asked to show (for tests that need no QtWebEngine)."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, str]] = []

    def show_html(self, html: str, base: QUrl) -> None:
        self.shown.append((html, base.toString()))
        self.loaded.emit()


async def until(pred: Callable[[], Any], within: float = 30.0) -> Any:
    """Wait, letting the loop run, until ``pred()`` is truthy."""
    deadline = time.monotonic() + within
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def screenshot(widget: QWidget, name: str) -> Path:
    """Save a picture of a widget (git-ignored folder) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    widget.grab().save(str(path))
    return path


class Harness:
    """One workspace, panels for any role, and the loop they run on."""

    def __init__(self, live: LiveServer, loop: qasync.QEventLoop, tmp: Path) -> None:
        self.live, self.loop, self.tmp = live, loop, tmp
        self.ws: TestWorkspace = make_workspace(live.sessionmaker, live.url)
        self.errors: list[str] = []
        self.contexts: list[PanelContext] = []
        self.http: list[httpx.AsyncClient] = []
        self.panels: list[BrandingPanel] = []
        self.closed = False

    def api(self, role: str = "owner") -> httpx.Client:
        """A plain synchronous client signed in as ``role`` (to arrange and check things)."""
        return self.ws.client(role)

    def run(self, coro: Any) -> Any:
        """Run a coroutine, then let every task it started finish."""

        async def go() -> Any:
            result = await coro
            await self.settle()
            return result

        return self.loop.run_until_complete(go())

    async def settle(self) -> None:
        """Until no task of any panel runs and no timer of theirs is pending (twice)."""
        for _ in range(2):
            await until(self._quiet)
            await asyncio.sleep(0.05)

    def _quiet(self) -> bool:
        if any(c.ops.tasks for c in self.contexts):
            return False
        return not any(p._preview_timer.isActive() or p._save_timer.isActive() for p in self.panels)

    def call(self, fn: Callable[[], Any]) -> Any:
        """Call something that starts tasks inside the running loop and wait for them."""

        async def go() -> Any:
            return fn()

        return self.run(go())

    def context(self, role: str) -> PanelContext:
        """The services a panel gets, signed in as ``role``."""
        return self.run(self.acontext(role))

    async def acontext(self, role: str) -> PanelContext:
        """``context`` inside a running loop."""
        http = make_http_client()
        self.http.append(http)
        api = ApiClient(self.live.url, http, self.ws.tokens[role])
        session = StaffSession.from_me(self.live.url, await api.me())
        cache = Cache(self.tmp / f"cache-{role}-{len(self.contexts)}.sqlite")
        ops = Operations()
        ops.failed.connect(lambda message, _retry: self.errors.append(message))
        settings = QSettings(str(self.tmp / "console.ini"), QSettings.Format.IniFormat)
        ctx = PanelContext(
            api,
            session,
            cache,
            SyncEngine(api, cache),
            ops,
            Config(self.tmp / "s.json"),
            settings,
        )
        self.contexts.append(ctx)
        return ctx

    def branding(self, role: str = "owner", *, web: bool = False) -> BrandingPanel:
        """A Branding panel, shown and loaded (with a recorder unless ``web``)."""
        return self.run(self.abranding(role, web=web))

    async def abranding(self, role: str = "owner", *, web: bool = False) -> BrandingPanel:
        """``branding`` inside a running loop (QtWebEngine tests run one coroutine: a second
        ``run_until_complete`` would quit the application and QtWebEngine with it)."""
        ctx = await self.acontext(role)
        factory = None if web else RecordingView
        panel = BrandingPanel(ctx, view_factory=factory)
        panel.setStyleSheet(stylesheet())  # as inside the main window
        self.panels.append(panel)
        panel.resize(1280, 800)
        panel.show()
        await until(lambda: panel.values)
        await self.settle()
        return panel

    def settings(self, role: str = "owner") -> SettingsPanel:
        """A Settings panel, loaded."""
        panel = SettingsPanel(self.context(role))
        panel.setStyleSheet(stylesheet())
        panel.resize(1000, 760)

        async def show() -> None:
            panel.show()
            await until(lambda: panel.data)

        self.run(show())
        return panel

    def type_into(self, panel: BrandingPanel, field: str, text: str) -> None:
        """Type into a field as a person would (each keystroke an edit)."""

        self.run(self.atype_into(panel, field, text))

    async def atype_into(self, panel: BrandingPanel, field: str, text: str) -> None:
        """``type_into`` inside a running loop."""
        from PySide6.QtTest import QTest

        edit = panel.rows[field].edit
        edit.setFocus()
        edit.clear()
        panel._on_edited(field)  # clear() is not a keystroke; the emptied field is one
        QTest.keyClicks(edit, text)
        await self.settle()

    async def aclose(self) -> None:
        """Stop every task and close clients and caches (once)."""
        if self.closed:
            return
        self.closed = True
        for ctx in self.contexts:
            await ctx.ops.shutdown()
            ctx.cache.close()
        for http in self.http:
            await http.aclose()

    def close(self) -> None:
        """``aclose`` when the test did not, and the workspace's clients."""
        if not self.closed:
            self.loop.run_until_complete(self.aclose())
        self.ws.close()


@pytest.fixture(name="harness")
def harness_fixture(live: LiveServer, qapp: Any, tmp_path: Path) -> Iterator[Harness]:
    """A fresh workspace and a qasync loop for one test."""
    loop = EpisodeLoop(qapp)
    asyncio.set_event_loop(loop)
    h = Harness(live, loop, tmp_path)
    try:
        yield h
    finally:
        h.close()
        loop.close()
        asyncio.set_event_loop(None)
