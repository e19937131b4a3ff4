"""The Branding panel measured in a process of its own (QtWebEngine starts once per process).

``python -m tests.benchmarks.branding_probe URL TOKEN`` prints one JSON object: SVG logo
rasterise-and-upload times with a plain-upload baseline, and the live preview's delay after
the last keystroke and the longest frame while typing, with an idle-loop baseline.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")

import PySide6.QtWebEngineWidgets  # noqa: F401  (before the application object)
import qasync
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import branding
from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.config import Config
from app.session import StaffSession
from app.sync import SyncEngine
from tests.ui.branding_harness import LOGO_SVG
from ui.context import PanelContext
from ui.operations import Operations
from ui.panels.branding import BrandingPanel
from ui.panels.branding.logo_controller import prepare

UPLOADS = 12
KEYSTROKE_GAP = 0.08  # a quick typist: 12 characters a second
ROUNDS = 6


class FrameWatch:
    """The longest gap between ticks of a 5 ms timer: how long the UI thread was busy."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=5)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.longest = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


async def _until(pred: Any, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.002)


async def measure(url: str, token: str) -> dict[str, Any]:
    http = make_http_client()
    api = ApiClient(url, http, token)
    session = StaffSession.from_me(url, await api.me())
    folder = Path(tempfile.mkdtemp(prefix="branding-bench-"))
    cache = Cache(folder / "cache.sqlite")
    ops = Operations()
    errors: list[str] = []
    ops.failed.connect(lambda message, _r: errors.append(message))
    ctx = PanelContext(
        api,
        session,
        cache,
        SyncEngine(api, cache),
        ops,
        Config(folder / "s.json"),
        QSettings(str(folder / "c.ini"), QSettings.Format.IniFormat),
    )
    panel = BrandingPanel(ctx)
    panel.resize(1280, 800)
    panel.show()
    await _until(lambda: panel.values and panel.last_preview and not ops.tasks)

    svg = folder / "logo.svg"
    svg.write_bytes(LOGO_SVG)
    ours, plain = [], []
    prepared, _facts = prepare(LOGO_SVG)
    for _ in range(UPLOADS):
        started = time.perf_counter()
        await panel.logo.upload(svg)  # read, check, rasterise (QtSvg), inspect, upload, show
        ours.append(time.perf_counter() - started)
        await _until(lambda: not ops.tasks)
        started = time.perf_counter()
        state = await branding.upload_logo(api, panel.state.etag, prepared, "image/png")
        plain.append(time.perf_counter() - started)
        panel.logo_uploaded(state)
    if errors:
        raise RuntimeError("; ".join(errors))

    watch = FrameWatch()
    delays, frames, idle_frames = [], [], []
    edit = panel.rows["brand_name"].edit
    loads: list[float] = []
    panel.preview.view.loaded.connect(lambda: loads.append(time.perf_counter()))
    for round_ in range(ROUNDS):
        await _until(lambda: not ops.tasks and not panel._preview_timer.isActive())
        watch.start()
        await asyncio.sleep(1.0)
        idle_frames.append(watch.stop())
        edit.setFocus()
        edit.selectAll()
        name = f"Evergreen Plumbing {round_}"
        watch.start()
        for ch in name:
            QTest.keyClick(edit, ch)
            await asyncio.sleep(KEYSTROKE_GAP)
        last_key = time.perf_counter()
        await _until(lambda n=name: panel.last_preview and n in panel.last_preview[1])
        await _until(lambda: loads and loads[-1] > last_key)
        delays.append(loads[-1] - last_key)
        await asyncio.sleep(0.2)
        frames.append(watch.stop())
    await ops.shutdown()
    cache.close()
    await http.aclose()
    return {
        "upload_ms": [round(x * 1000, 1) for x in ours],
        "plain_upload_ms": [round(x * 1000, 1) for x in plain],
        "preview_delay_ms": [round(x * 1000, 1) for x in delays],
        "longest_frame_ms": [round(x * 1000, 1) for x in frames],
        "idle_frame_ms": [round(x * 1000, 1) for x in idle_frames],
        "upload_median_ms": round(statistics.median(ours) * 1000, 1),
    }


def main() -> None:
    url, token = sys.argv[1], sys.argv[2]
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result = loop.run_until_complete(measure(url, token))
    print(json.dumps(result), flush=True)
    os._exit(0)  # QtWebEngine's teardown at exit can take seconds; nothing is left to save


if __name__ == "__main__":
    main()
