"""Rollout at 100,000 customers and 300,000 jobs, on SQLite and PostgreSQL, as users meet it.

- Server aggregation: ``GET /api/v1/rollout/readiness`` (the checklist) and
  ``GET /api/v1/rollout/adoption`` (the funnel and weekly adoption, for everyone and for a
  pilot group), p50 at most 200 ms each, measured three ways:
  - cold: the first requests to a server process started a moment before (nothing kept in
    the process, the requests sent at once as the console sends them), over a few starts;
  - quiet: a batch of pilot invites written between rounds;
  - under writes: the CRM pushing contacts through the records API all the while (about
    ten a second; some change an address, which the checklist's email counts must follow).
  Baseline: the driver counting the workspace's customers, contacts and jobs (the least any
  aggregation over these tables reads).
- Opening the panel (``rollout_panel_timing``): the Rollout panel built offscreen in this
  process, until its checklist shows and until its charts are drawn, p50 at most 500 ms,
  the first open in the process separately; baseline: the same requests sent with plain
  httpx.

The demo seed makes about one job per customer; ``rollout_load`` adds jobs to the shared
bench workspace until there are 300,000.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.benchmarks import rollout_panel_timing
from tests.benchmarks.harness import LiveServer, seeded_server
from tests.benchmarks.report import Report
from tests.benchmarks.rollout_load import CrmWriter, fresh_server, settle, top_up_jobs
from tests.support.databases import BACKENDS

REPEATS = 9
COLD_STARTS = 3
AGGREGATION_P50_MS = 200.0
RULE = {"months": 12, "min_jobs": 3, "not_invited": True, "size": 2000}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


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


def _at_once(url: str, token: str, group_id: int) -> dict[str, float]:
    """The console's first requests, sent together; each one's time."""
    paths = {
        "readiness": ("/api/v1/rollout/readiness", None),
        "groups": ("/api/v1/rollout/groups", None),
        "adoption": ("/api/v1/rollout/adoption", None),
        "group": ("/api/v1/rollout/adoption", {"group_id": group_id}),
    }
    headers = {"Authorization": f"Bearer {token}"}
    with ThreadPoolExecutor(len(paths)) as pool:
        clients = [httpx.Client(base_url=url, headers=headers, timeout=120) for _ in paths]
        try:
            futures = {
                key: pool.submit(_timed, c, path, **(params or {}))
                for c, (key, (path, params)) in zip(clients, paths.items(), strict=True)
            }
            return {key: f.result() for key, f in futures.items()}
        finally:
            for c in clients:
                c.close()


def _rounds(c: httpx.Client, group_id: int, between: Any = None) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"readiness": [], "adoption": [], "group": []}
    for _ in range(REPEATS):
        if between:
            between()
        times["readiness"].append(_timed(c, "/api/v1/rollout/readiness"))
        times["adoption"].append(_timed(c, "/api/v1/rollout/adoption"))
        times["group"].append(_timed(c, "/api/v1/rollout/adoption", group_id=group_id))
    return times


LABELS = {
    "readiness": "checklist",
    "adoption": "funnel + adoption, everyone",
    "group": "funnel + adoption, pilot group",
}


def _figures(report: Report, srv: LiveServer, how: str, times: dict[str, list[float]]) -> None:
    bare = statistics.median(bare_counts_ms(srv))
    for key, samples in times.items():
        if key not in LABELS:
            continue
        p50 = statistics.median(samples)
        report.figure(
            f"rollout {srv.backend}: {LABELS[key]}, {how}, p50",
            _ms(p50),
            _ms(bare),
            p50 / bare,
            f"<= {AGGREGATION_P50_MS:.0f} ms",
            p50 * 1000 <= AGGREGATION_P50_MS,
        )


def bench_server(report: Report, srv: LiveServer) -> int:
    """The checklist and the funnels: cold, quiet with writes between rounds, under writes."""
    with srv.client() as c:
        name = f"Bench pilot {int(time.time())}"
        r = c.post("/api/v1/rollout/groups", json={"name": name, "rule": RULE})
        r.raise_for_status()
        group = r.json()
        report(f"{srv.backend}: pilot group of {group['size']:,} customers saved")
        cold: dict[str, list[float]] = {}
        for _ in range(COLD_STARTS):
            with fresh_server(srv) as url:
                for key, seconds in _at_once(url, srv.token, group["id"]).items():
                    cold.setdefault(key, []).append(seconds)
        report(
            f"{srv.backend}: cold starts (ms): "
            + "; ".join(f"{k} {', '.join(f'{s * 1000:.0f}' for s in v)}" for k, v in cold.items())
        )
        _figures(report, srv, "first requests after a start", cold)

        def batch() -> None:
            path = f"/api/v1/rollout/groups/{group['id']}/invite-batch"
            c.post(path, json={"size": 20}).raise_for_status()

        _figures(report, srv, "invites between rounds", _rounds(c, group["id"], batch))
        with CrmWriter(srv) as crm:
            writing = _rounds(c, group["id"])
        report(f"{srv.backend}: the CRM pushed {crm.written} contacts meanwhile")
        if crm.failed:
            raise RuntimeError(f"the CRM's writes failed: {crm.failed[:3]}")
        _figures(report, srv, "CRM writing", writing)
    return int(group["id"])


def run(report: Report) -> None:
    """Every figure on both databases."""
    for backend in BACKENDS:
        srv = seeded_server(backend)
        jobs = top_up_jobs(srv, report)
        settle(srv, report)
        report(f"{backend}: {srv.customers:,} customers, {jobs:,} jobs")
        bench_server(report, srv)
        rollout_panel_timing.bench_panel(report, srv)
