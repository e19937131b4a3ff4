"""Opening the Rollout panel offscreen: until the checklist shows, and until the charts are
drawn (``panel.grab()`` paints the widget), p50 of several opens; the first open in the
process (QtCharts' first chart) and opens while the CRM writes, separately.

Called by ``rollout_bench`` (its name does not end in ``_bench``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx

from tests.benchmarks.harness import LiveServer
from tests.benchmarks.report import Report
from tests.benchmarks.rollout_load import CrmWriter

REPEATS = 9
PANEL_P50_MS = 500.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_panel(report: Report, srv: LiveServer) -> None:
    """The panel's figures on one database."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6.QtWidgets as QtW
    import qasync

    app = QtW.QApplication.instance() or QtW.QApplication([])
    loop = qasync.QEventLoop(app)
    try:
        quiet, plain = loop.run_until_complete(_measure(srv, writing=False))
        busy, _ = loop.run_until_complete(_measure(srv, writing=True))
    finally:
        loop.close()
    base = statistics.median(plain)
    report(
        f"{srv.backend}: panel opens (checklist / charts, ms): "
        + "; ".join(f"{a * 1000:.0f}/{b * 1000:.0f}" for a, b in quiet)
    )
    first_charts = quiet[0][1]
    report.figure(
        f"rollout {srv.backend}: panel, first open in the process, charts drawn",
        _ms(first_charts),
        _ms(base),
        first_charts / base,
        f"<= {PANEL_P50_MS:.0f} ms",
        first_charts * 1000 <= PANEL_P50_MS,
    )
    for how, opens in (("quiet", quiet), ("CRM writing", busy)):
        for index, what in ((0, "checklist shown"), (1, "charts drawn")):
            p50 = statistics.median(o[index] for o in opens)
            report.figure(
                f"rollout {srv.backend}: panel open to {what}, {how}, p50",
                _ms(p50),
                _ms(base),
                p50 / base,
                f"<= {PANEL_P50_MS:.0f} ms",
                p50 * 1000 <= PANEL_P50_MS,
            )


async def _measure(srv: LiveServer, writing: bool) -> tuple[list[tuple[float, float]], list[float]]:
    from app.api_client import ApiClient, make_http_client
    from app.session import StaffSession
    from ui.context import PanelContext
    from ui.operations import Operations
    from ui.panels.rollout import RolloutPanel

    http = make_http_client(60)
    try:
        api = ApiClient(srv.url, http, srv.token)
        session = StaffSession.from_me(srv.url, await api.me())
        ops = Operations()
        ctx = PanelContext(api, session, None, None, ops, None, None)  # type: ignore[arg-type]
        opens = []
        crm = CrmWriter(srv) if writing else None
        if crm:
            crm.__enter__()
        try:
            for _ in range(REPEATS):
                started = time.perf_counter()
                panel = RolloutPanel(ctx)
                shown_now = asyncio.get_running_loop().create_future()
                panel.checklist_shown.connect(lambda f=shown_now: f.done() or f.set_result(None))
                panel.resize(1280, 900)
                await asyncio.sleep(0.001)  # the panel starts loading on the loop's next turn
                assert panel.loading is not None
                await asyncio.wait([shown_now, panel.loading], return_when="FIRST_COMPLETED")
                panel.checklist.grab()
                shown = time.perf_counter() - started
                await panel.loading
                panel.grab()
                opens.append((shown, time.perf_counter() - started))
                panel.deleteLater()
                ops.cancel("pilot-match")
                await asyncio.sleep(0.05)
        finally:
            if crm:
                crm.__exit__(None, None, None)
        groups = await api.get_json("/api/v1/rollout/groups")
        plain = []
        headers = {"Authorization": f"Bearer {srv.token}"}
        async with httpx.AsyncClient(base_url=srv.url, headers=headers, timeout=60) as raw:
            for _ in range(REPEATS):
                started = time.perf_counter()
                await asyncio.gather(
                    raw.get("/api/v1/rollout/readiness"),
                    raw.get("/api/v1/rollout/groups"),
                    raw.get("/api/v1/rollout/adoption"),
                    raw.get("/api/v1/rollout/adoption", params={"group_id": groups[0]["id"]}),
                )
                plain.append(time.perf_counter() - started)
        await ops.shutdown()
        return opens, plain
    finally:
        await http.aclose()
