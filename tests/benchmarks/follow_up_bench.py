"""The Follow-up inbox with 100,000 items in the console's cache (SQLite server).

- Opening the panel: a Follow-up panel built offscreen from construction to its first rows
  drawn (``grab``), p50 and worst of several openings; target 300 ms. Baseline: reading the
  same inbox columns from the cache with plain ``sqlite3`` (the least any opening reads).
- A keystroke in the search box (and a click on a filter): from the key to the table
  repainted, p95 over a typed customer name, a typed word, deleting, and filter changes;
  target 16 ms. Baseline: one bare substring scan over the same 100,000 texts.
- A customer's action reaching the inbox: a contact approves a quote through the portal over
  HTTP; from the moment the form is sent until the item is a row of the open panel, with
  sync polling as it does on the local workspace; target 2 s. Baseline: the form's own
  round trip.

The items come from the server's own seed helper and reach the cache by a real full sync.
``PORTAL_BENCH_FOLLOW_UPS`` changes the count (default 100,000).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from itertools import compress, repeat
from operator import contains
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.db.engine import make_engine, make_sessionmaker
from server.db.models import FollowUp
from server.demo.follow_ups import seed_follow_ups
from tests.benchmarks.harness import SLUG, LiveServer, seeded_server
from tests.benchmarks.report import Report

ITEMS = int(os.environ.get("PORTAL_BENCH_FOLLOW_UPS", "100000"))
# A folder to save pictures of the full and the searched inbox in (to look at), if given.
SHOTS = os.environ.get("PORTAL_BENCH_SHOTS")
OPENINGS = 7
REACHES = 5
OPEN_MS, KEY_P95_MS, REACH_S = 300.0, 16.0, 2.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def top_up_items(srv: LiveServer, report: Report) -> int:
    """Seed follow-up items until the bench workspace has ``ITEMS``."""
    engine = make_engine(srv.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            have = session.scalar(
                select(func.count())
                .select_from(FollowUp)
                .where(FollowUp.workspace_id == srv.workspace_id)
            )
            if (have or 0) < ITEMS:
                started = time.perf_counter()
                seed_follow_ups(session, srv.workspace_id, ITEMS - (have or 0))
                session.commit()
                report(
                    f"seeded {ITEMS - (have or 0):,} items in {time.perf_counter() - started:.1f} s"
                )
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(FollowUp)
                    .where(FollowUp.workspace_id == srv.workspace_id)
                )
                or 0
            )
    finally:
        engine.dispose()


def bare_read(cache_path: Path) -> float:
    """Seconds to read the inbox's columns with plain sqlite3 (the baseline of opening)."""
    from app.cache.follow_ups import SELECT_INDEX

    started = time.perf_counter()
    conn = sqlite3.connect(str(cache_path))
    try:
        conn.execute(SELECT_INDEX).fetchall()
    finally:
        conn.close()
    return time.perf_counter() - started


def run(report: Report) -> None:
    """Every figure on the SQLite server (the local workspace's database)."""
    srv = seeded_server("sqlite")
    total = top_up_items(srv, report)
    report(f"sqlite: {total:,} follow-up items, load average {os.getloadavg()[0]:.1f}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6.QtWidgets as QtW
    import qasync

    app = QtW.QApplication.instance() or QtW.QApplication([])
    app.setQuitOnLastWindowClosed(False)  # each opening closes its panel, a top-level window
    loop = qasync.QEventLoop(app)
    try:
        with tempfile.TemporaryDirectory(prefix="follow-up-bench-") as folder:
            loop.run_until_complete(_measure(report, srv, Path(folder)))
    finally:
        loop.close()


async def _measure(report: Report, srv: LiveServer, folder: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.api_client import ApiClient, make_http_client
    from app.cache import Cache
    from app.config import Config
    from app.session import StaffSession
    from app.sync import SyncEngine
    from ui.console import freeze_workspace_objects, thaw_workspace_objects
    from ui.context import PanelContext
    from ui.operations import Operations

    http = make_http_client(120)
    cache = Cache(folder / "cache.sqlite3")
    config = Config(folder / "settings.json")
    api = ApiClient(srv.url, http, srv.token)
    engine = SyncEngine(
        api, cache, page_size=config.sync_page_size, interval=config.local_sync_interval
    )
    ops = Operations()
    try:
        session = StaffSession.from_me(srv.url, await api.me())
        started = time.perf_counter()
        await engine.sync_now()
        report(f"full sync into a fresh cache: {time.perf_counter() - started:.1f} s")
        ctx = PanelContext(
            api,
            session,
            cache,
            engine,
            ops,
            config,
            QSettings(str(folder / "w.ini"), QSettings.Format.IniFormat),
        )
        # As the console does once a workspace is open: what lives as long as the workspace is
        # moved out of the collector's reach, so a full collection does not rescan it.
        freeze_workspace_objects()
        panel = await _openings(report, ctx, cache.path)
        await _keystrokes(report, panel)
        await _reaches(report, srv, panel, engine)
        panel.close()
        panel.deleteLater()
    finally:
        thaw_workspace_objects()
        await ops.shutdown()
        await engine.stop()
        engine.pages.close()
        cache.close()
        await http.aclose()


async def _openings(report: Report, ctx: Any, cache_path: Path) -> Any:
    from ui.panels.follow_up import FollowUpPanel

    opened: list[float] = []
    searchable: list[float] = []
    bare: list[float] = []
    panel = None
    for i in range(OPENINGS):
        bare.append(bare_read(cache_path))
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        panel = FollowUpPanel(ctx)
        panel.resize(1280, 800)
        panel.show()
        panel.grab()  # drawn: the window shows its first rows
        opened.append(time.perf_counter() - started)
        assert panel.model.rowCount() > 0
        await panel.loading
        panel.grab()
        searchable.append(time.perf_counter() - started)
        assert not panel.model.index_.partial
        if i < OPENINGS - 1:
            panel.close()
            panel.deleteLater()
            await asyncio.sleep(0.05)
    p50, worst, base = statistics.median(opened), max(opened), statistics.median(bare)
    report(f"openings: {', '.join(_ms(s) for s in opened)}; {len(panel.model.index_):,} items")
    report(f"whole inbox read and searchable: {', '.join(_ms(s) for s in searchable)}")
    report.figure(
        "follow-up: panel open to first rows drawn (100k items), p50",
        _ms(p50),
        _ms(base),
        p50 / base,
        f"<= {OPEN_MS:.0f} ms",
        p50 * 1000 <= OPEN_MS,
    )
    report.figure(
        "follow-up: panel open to first rows drawn, worst", _ms(worst), _ms(base), worst / base
    )
    whole = statistics.median(searchable)
    report.figure(
        "follow-up: panel open to all items searchable, p50", _ms(whole), _ms(base), whole / base
    )
    return panel


async def _keystrokes(report: Report, panel: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    search = panel.filters.search
    ix = panel.model.index_
    name = next(c for c in ix.customers if c)[:10].lower()
    word = "approved"
    times: list[float] = []
    work: list[float] = []  # the key event, filter and model reset alone, before painting
    events: list[tuple[float, float, str]] = []  # each event's time, its work and what it was
    # Asked once, before timing: the first Python call for the viewport makes PySide look up
    # its wrapper's type, which set up some 40 of QtWidgets' enum types (about 10 ms, once
    # per process). That is the bench's own probe; the console's repaints never ask for it.
    viewport = panel.table.viewport()

    def timed(what: str, act: Any) -> None:
        started = time.perf_counter()
        act()
        work.append(time.perf_counter() - started)
        viewport.repaint()
        times.append(time.perf_counter() - started)
        events.append((times[-1], work[-1], f"{what} ({panel.model.rowCount():,} rows)"))

    _picture(panel, "follow-up-100k")
    for text in (name, word):
        for i, ch in enumerate(text):
            timed(f"typing {text[: i + 1]!r}", lambda ch=ch: QTest.keyClick(search, ch))
        _picture(panel, f"follow-up-100k-search-{text.split()[0]}")
        for i in range(len(text)):
            left = text[: len(text) - i - 1]
            timed(f"deleting to {left!r}", lambda: QTest.keyClick(search, Qt.Key.Key_Backspace))
        await asyncio.sleep(0)
    for kind in ("invoice_paid", "service_request"):
        chip = panel.filters.chips[kind]
        timed(f"chip {kind} on", lambda chip=chip: chip.setChecked(True))
        timed(f"chip {kind} off", lambda chip=chip: chip.setChecked(False))
    for index in (1, 2, 0):
        state = panel.filters.state.itemText(index)
        timed(f"state {state!r}", lambda index=index: panel.filters.state.setCurrentIndex(index))
    # The floor of a search: one substring test per item, iterated in C, over every item.
    texts, q = ix.search, name[:1]
    started = time.perf_counter()
    _ = list(compress(range(len(texts)), map(contains, texts, repeat(q))))
    bare = time.perf_counter() - started
    worst = p95(times)
    report(
        f"{len(times)} keystrokes and clicks: median {_ms(statistics.median(times))}, "
        f"max {_ms(max(times))}"
    )
    slowest = sorted(events, reverse=True)[:4]
    report("slowest: " + "; ".join(f"{what} {_ms(t)} (work {_ms(w)})" for t, w, what in slowest))
    report.figure(
        "follow-up: keystroke or filter click, work before painting, p95",
        _ms(p95(work)),
        _ms(bare),
        p95(work) / bare,
    )
    report.figure(
        "follow-up: keystroke or filter click to table repainted, p95",
        _ms(worst),
        _ms(bare),
        worst / bare,
        f"<= {KEY_P95_MS:.0f} ms",
        worst * 1000 <= KEY_P95_MS,
    )


def _picture(panel: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        panel.grab().save(str(Path(SHOTS) / f"{name}.png"))


async def _reaches(report: Report, srv: LiveServer, panel: Any, engine: Any) -> None:
    from tests.server.portal.fixtures import Browser, make_customer

    factory = make_sessionmaker(make_engine(srv.database_url))
    engine.start()
    reaches: list[float] = []
    posts: list[float] = []
    for _ in range(REACHES):
        customer = make_customer(factory, srv.workspace_id, SLUG)
        browser = Browser(srv.url, SLUG)
        assert browser.sign_in(customer.email).status_code == 303
        quote = customer.ids["quote"]
        token = browser.token(f"/quotes/{quote}")
        before = len(panel.model.index_)
        await asyncio.sleep(0.3)  # let the loop settle: the action starts from a quiet inbox
        started = time.perf_counter()
        answer = browser.post(
            f"/quotes/{quote}/approve",
            {"name": "Dana Whitfield", "agree": "yes", "csrf_token": token},
        )
        posts.append(time.perf_counter() - started)
        assert answer.status_code == 303, answer.text[:300]
        while len(panel.model.index_) == before:
            if time.perf_counter() - started > 30:
                raise AssertionError("the approval did not reach the inbox within 30 s")
            await asyncio.sleep(0.005)
        reaches.append(time.perf_counter() - started)
        browser.close()
    worst, base = max(reaches), statistics.median(posts)
    report(f"reaches: {', '.join(f'{s:.2f} s' for s in reaches)}")
    report.figure(
        "follow-up: portal approval to inbox row (local workspace sync), worst of 5",
        f"{worst:.2f} s",
        _ms(base),
        worst / base,
        f"<= {REACH_S:.0f} s",
        worst <= REACH_S,
    )
