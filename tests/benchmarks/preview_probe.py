"""One measuring run of the Preview panel in a process of its own (``preview_bench`` starts it).

``python -m tests.benchmarks.preview_probe bare|panel SERVER_URL TOKEN SLUG`` prints one JSON
line. ``bare``: a plain QWebEngineView in a fresh off-the-record profile loads a contact's home
page (same server, same bytes: a preview session's cookie is set first); the time runs from
``load()`` to ``loadFinished``, QtWebEngine's start included. Then it loads pages and changes
its width as many times as the panel switches, timing each, with the same stall timer: the
baselines of the panel's switches and of its stalls. ``panel``: the console's Preview
panel shows the same contact; the time runs from choosing the contact (link request included)
to ``loadFinished``, QtWebEngine's start included; then it switches contact (the next one in
the picker, whose link the panel asks for ahead of time) and width many times, timing each
to a laid-out page, while a 10 ms timer on the UI thread records the
longest gap (a stall) through all of it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication

import qasync  # isort: skip

SWITCHES = 24
TICK_MS = 10


class StallWatch:
    """The longest time the UI thread did not get to a 10 ms timer."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.worst = 0
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        if self.last:
            self.worst = max(self.worst, now - self.last - TICK_MS)
        self.last = now


async def _finished(view: Any) -> bool:
    fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def done(ok: bool) -> None:
        if not fut.done():
            fut.set_result(ok)

    view.loadFinished.connect(done)
    try:
        return await asyncio.wait_for(fut, 60)
    finally:
        view.loadFinished.disconnect(done)


async def bare(base: str, token: str, slug: str, contact_id: int) -> dict[str, Any]:
    """A plain view loading the page, cold; then warm loads and width changes, timed."""
    import httpx

    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        link = (await c.post("/api/v1/previews", json={"contact_id": contact_id})).json()["url"]
        opened = await c.get(link)
        cookie = opened.cookies["tb_portal"]
    start = time.perf_counter()
    from PySide6.QtNetwork import QNetworkCookie
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

    profile = QWebEngineProfile()
    view = QWebEngineView()
    page = QWebEnginePage(profile, view)
    view.setPage(page)
    view.resize(1280, 800)
    view.show()
    jar = QNetworkCookie(b"tb_portal", cookie.encode())
    jar.setPath(f"/p/{slug}")
    profile.cookieStore().setCookie(jar, QUrl(base))
    view.load(QUrl(f"{base}/p/{slug}/"))
    ok = await _finished(view)
    first = time.perf_counter() - start
    assert ok
    # What QtWebEngine itself costs the UI thread (its browser side runs there), doing what
    # the panel's switches do in the same number: page loads (of another page each time, as a
    # contact switch loads another contact's page) and viewport width changes, each timed.
    watch = StallWatch()
    loads: list[float] = []
    widths_s: list[float] = []
    widths = [390, 768, 1280]
    for i in range(SWITCHES):
        t = time.perf_counter()
        if i % 2:
            width = widths[i % 3]
            view.resize(width, 800)
            while await _page_js(page, "window.innerWidth") != width:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            widths_s.append(time.perf_counter() - t)
        else:
            view.load(QUrl(f"{base}/p/{slug}/" + ("jobs" if i % 4 else "")))
            await _finished(view)
            loads.append(time.perf_counter() - t)
    stall = watch.worst
    view.setPage(None)  # type: ignore[arg-type]
    page.deleteLater()
    return {"first_s": first, "stall_ms": stall, "loads_s": loads, "widths_s": widths_s}


async def panel(base: str, token: str, slug: str, contacts: list[int]) -> dict[str, Any]:
    """The Preview panel: first preview, then switches of contact and width."""
    from app.api_client import ApiClient, make_http_client
    from app.cache import Cache
    from app.config import Config
    from app.previews import Contact
    from app.session import StaffSession
    from app.sync import SyncEngine
    from ui.context import PanelContext
    from ui.operations import Operations
    from ui.panels.preview import PreviewPanel

    tmp = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    watch = StallWatch()
    # The baseline: how long the same timer waits on this machine when the console does
    # nothing (other processes take the cores too).
    await asyncio.sleep(3)
    idle = watch.worst
    watch.worst = 0
    async with make_http_client() as http:
        api = ApiClient(base, http, token)
        session = StaffSession.from_me(base, await api.me())
        cache = Cache(tmp / "cache.sqlite")
        from PySide6.QtCore import QSettings

        ctx = PanelContext(
            api,
            session,
            cache,
            SyncEngine(api, cache),
            Operations(),
            Config(tmp / "c.json"),
            QSettings(str(tmp / "w.ini"), QSettings.Format.IniFormat),
        )
        people = [Contact(c, "c", None, 0, "x", "active") for c in contacts]
        start = time.perf_counter()
        view = PreviewPanel(ctx)
        view.resize(1400, 900)
        view.ensure_frames()
        view.show()
        frame = view.frames["published"]
        # Contacts are chosen in the picker, one after another, as a person steps through
        # them (the panel asks for the next one's link while the current one shows).
        picker = view.controls.contacts
        for person in people:
            picker.addItem(person.label, person)
        picker.setCurrentIndex(0)
        view._on_contact()
        assert await _finished(frame.view)
        first = time.perf_counter() - start
        gc.freeze()  # as the console does once a workspace is open
        watch.worst = 0  # the stalls that count: while previews load in a running panel
        switches: list[float] = []
        widths_s: list[float] = []
        widths = [390, 768, 1280]
        for i in range(SWITCHES):
            t = time.perf_counter()
            if i % 2:
                width = widths[i % 3]
                view._set_width(width)
                # Polled: the page has no event to say it was laid out at the new width.
                while await _js(frame, "window.innerWidth") != width:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
                widths_s.append(time.perf_counter() - t)
            else:
                picker.setCurrentIndex((i // 2 + 1) % len(people))
                view._on_contact()
                assert await _finished(frame.view)
                switches.append(time.perf_counter() - t)
        worst = watch.worst
        view.close_frames()
        await ctx.ops.shutdown()
        cache.close()
    return {
        "first_s": first,
        "contacts_s": switches,
        "widths_s": widths_s,
        "stall_ms": worst,
        "idle_stall_ms": idle,
    }


async def _page_js(page: Any, script: str) -> Any:
    fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    page.runJavaScript(script, 0, lambda r: fut.done() or fut.set_result(r))
    return await asyncio.wait_for(fut, 20)


async def _js(frame: Any, script: str) -> Any:
    fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    frame.run_js(script, lambda r: fut.done() or fut.set_result(r))
    return await asyncio.wait_for(fut, 20)


def main(argv: list[str]) -> int:
    """Run one mode and print its figures as JSON."""
    mode, base, token, slug, *ids = argv
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([])
    contacts = [int(i) for i in ids]
    work = (
        bare(base, token, slug, contacts[0])
        if mode == "bare"
        else panel(base, token, slug, contacts)
    )
    result = asyncio.run(work, loop_factory=lambda: qasync.QEventLoop(app))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
