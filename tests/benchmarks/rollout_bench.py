"""Rollout at 100,000 customers and 300,000 jobs, on SQLite and PostgreSQL.

- Server aggregation: ``GET /api/v1/rollout/readiness`` (the checklist) and
  ``GET /api/v1/rollout/adoption`` (the funnel and weekly adoption, for everyone and for a
  pilot group), p50 at most 200 ms each, against a bare baseline from the same run: the
  driver counting the workspace's customers, contacts and jobs (the least any aggregation
  over these tables reads).
- Opening the panel: a Rollout panel built offscreen in this process, from construction to
  the checklist, funnel and adoption charts drawn (``grab``), p50 at most 500 ms; baseline:
  the same four requests sent with plain httpx.

Between rounds a batch of pilot customers is invited (invites, emails and audit rows are
written), so no answer comes from a quiet database. The demo seed makes about one job per
customer; this module adds jobs to the shared bench workspace until there are 300,000.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from server.db.engine import make_engine
from server.db.models import Customer, Job
from tests.benchmarks.harness import LiveServer, seeded_server
from tests.benchmarks.report import Report
from tests.support.databases import BACKENDS

JOBS = int(os.environ.get("PORTAL_BENCH_JOBS", "300000"))
REPEATS = 9
AGGREGATION_P50_MS = 200.0
PANEL_P50_MS = 500.0
RULE = {"months": 12, "min_jobs": 3, "not_invited": True, "size": 2000}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def top_up_jobs(srv: LiveServer, report: Report) -> int:
    """Add completed jobs to random customers until the workspace has ``JOBS``."""
    engine = make_engine(srv.database_url)
    try:
        with engine.begin() as conn:
            have = (
                conn.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.workspace_id == srv.workspace_id)
                )
                or 0
            )
            if have >= JOBS:
                return int(have)
            ids = list(
                conn.scalars(select(Customer.id).where(Customer.workspace_id == srv.workspace_id))
            )
            rng = random.Random(14)
            now = datetime.now(UTC)
            rows = []
            for n in range(JOBS - have):
                at = now - timedelta(days=rng.randint(1, 900))
                rows.append(
                    {
                        "workspace_id": srv.workspace_id,
                        "customer_id": rng.choice(ids),
                        "number": f"B{n}",
                        "title": "Service visit",
                        "internal_status": "completed",
                        "completed_at": at,
                        "source": "office",
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            started = time.perf_counter()
            for start in range(0, len(rows), 20000):
                conn.execute(insert(Job), rows[start : start + 20000])
        report(f"{srv.backend}: added {len(rows):,} jobs in {time.perf_counter() - started:.1f} s")
        return JOBS
    finally:
        engine.dispose()


def bare_counts_ms(srv: LiveServer) -> list[float]:
    """The baseline: the driver counting customers, contacts and jobs of the workspace."""
    conn = srv.driver()
    mark = "?" if srv.backend == "sqlite" else "%s"
    times = []
    try:
        cur = conn.cursor()
        for _ in range(REPEATS):
            started = time.perf_counter()
            for table in ("customer", "contact", "job"):
                cur.execute(
                    f"SELECT count(*) FROM {table} WHERE workspace_id = {mark}", (srv.workspace_id,)
                )
                cur.fetchall()
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    return times


def _timed(c: httpx.Client, path: str, **params: Any) -> float:
    started = time.perf_counter()
    r = c.get(path, params=params or None)
    elapsed = time.perf_counter() - started
    r.raise_for_status()
    return elapsed


def bench_server(report: Report, srv: LiveServer) -> int:
    """p50 of the checklist and the funnels, with writes between rounds."""
    with srv.client() as c:
        name = f"Bench pilot {int(time.time())}"
        r = c.post("/api/v1/rollout/groups", json={"name": name, "rule": RULE})
        r.raise_for_status()
        group = r.json()
        report(f"{srv.backend}: pilot group of {group['size']:,} customers saved")
        cold = _timed(c, "/api/v1/rollout/readiness")
        times: dict[str, list[float]] = {"readiness": [], "adoption": [], "group": []}
        for _ in range(REPEATS):
            batch = c.post(f"/api/v1/rollout/groups/{group['id']}/invite-batch", json={"size": 20})
            batch.raise_for_status()
            times["readiness"].append(_timed(c, "/api/v1/rollout/readiness"))
            times["adoption"].append(_timed(c, "/api/v1/rollout/adoption"))
            times["group"].append(_timed(c, "/api/v1/rollout/adoption", group_id=group["id"]))
    bare = statistics.median(bare_counts_ms(srv))
    report.figure(
        f"rollout {srv.backend}: checklist, first request",
        _ms(cold),
        _ms(bare),
        cold / bare,
        "-",
    )
    for key, label in (
        ("readiness", "checklist p50"),
        ("adoption", "funnel + adoption, everyone, p50"),
        ("group", "funnel + adoption, pilot group, p50"),
    ):
        p50 = statistics.median(times[key])
        report.figure(
            f"rollout {srv.backend}: {label}",
            _ms(p50),
            _ms(bare),
            p50 / bare,
            f"<= {AGGREGATION_P50_MS:.0f} ms",
            p50 * 1000 <= AGGREGATION_P50_MS,
        )
    return int(group["id"])


def bench_panel(report: Report, srv: LiveServer) -> None:
    """Opening the Rollout panel offscreen until its checklist and charts are drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6.QtWidgets as QtW
    import qasync

    app = QtW.QApplication.instance() or QtW.QApplication([])
    loop = qasync.QEventLoop(app)
    try:
        opened, plain = loop.run_until_complete(_open_panels(srv))
    finally:
        loop.close()
    p50, base = statistics.median(opened), statistics.median(plain)
    report.figure(
        f"rollout {srv.backend}: panel open to charts drawn, p50",
        _ms(p50),
        _ms(base),
        p50 / base,
        f"<= {PANEL_P50_MS:.0f} ms",
        p50 * 1000 <= PANEL_P50_MS,
    )


async def _open_panels(srv: LiveServer) -> tuple[list[float], list[float]]:
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
        opened = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            panel = RolloutPanel(ctx)
            panel.resize(1280, 900)
            await asyncio.sleep(0.001)  # the panel starts loading on the loop's next turn
            assert panel.loading is not None
            await panel.loading
            panel.grab()
            opened.append(time.perf_counter() - started)
            panel.deleteLater()
            ops.cancel("pilot-match")
            await asyncio.sleep(0.05)
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
                )
                await raw.get("/api/v1/rollout/adoption", params={"group_id": groups[0]["id"]})
                plain.append(time.perf_counter() - started)
        await ops.shutdown()
        return opened, plain
    finally:
        await http.aclose()


def run(report: Report) -> None:
    """Every figure on both databases."""
    for backend in BACKENDS:
        srv = seeded_server(backend)
        jobs = top_up_jobs(srv, report)
        report(f"{backend}: {srv.customers:,} customers, {jobs:,} jobs")
        bench_server(report, srv)
        bench_panel(report, srv)
