"""The follow-up inbox's server side at 100,000 items, on SQLite and PostgreSQL.

A workspace of 1,000 demo customers gets 100,000 follow-up items (``seed_follow_ups``); a
``portal-server serve`` process answers ``GET /api/v1/follow-ups`` under the filters the
console offers (kind, state, assignee, date range, text search, the next page) and
``GET /api/v1/follow-ups/counts``. Target: every request's p95 well under 100 ms (the
figure is the worst filter's p95). Baseline: the same domain call (count, page and item
models) made in-process, so the ratio is what HTTP, authentication and JSON add.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select

from server.db import migrate
from server.db.base import utcnow
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import FollowUp, StaffUser, Workspace
from server.demo.follow_ups import seed_follow_ups
from server.demo.seed import seed_demo, staff_email
from server.domain import follow_up_inbox as inbox
from server.domain.staff import issue_token_for
from tests.benchmarks.report import Report
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port

ITEMS = int(os.environ.get("PORTAL_BENCH_FOLLOW_UPS", "100000"))
CUSTOMERS = 1000
REPEATS = 15
TARGET_MS = 100.0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _mix(since: str) -> list[dict[str, Any]]:
    """What a dispatcher clicks and types in the inbox."""
    return [
        {},
        {"state": "open"},
        {"kind": "invoice_paid"},
        {"kind": ["quote_approved", "quote_declined"], "state": "open"},
        {"assignee": "me"},
        {"assignee": "none", "state": "open"},
        {"since": since},
        {"q": "boiler"},
        {"q": "refund"},
        {"q": "zzqx"},  # matches nothing: the whole table is read
        {"q": "paid", "state": "open", "kind": "invoice_paid"},
    ]


def _filter(params: dict[str, Any]) -> inbox.InboxFilter:
    kinds = params.get("kind", ())
    return inbox.InboxFilter(
        kinds=tuple([kinds] if isinstance(kinds, str) else kinds),
        state=params.get("state"),
        assignee=params.get("assignee"),
        since=params.get("since_dt"),
        q=params.get("q"),
    )


def _serve(url: str, folder: Path, stack: contextlib.ExitStack) -> str:
    port = free_port()
    log = (folder / "server.log").open("w")
    stack.callback(log.close)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--database-url", url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    stack.callback(stop)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return base
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def bench(report: Report, backend: str) -> None:
    """Seed, serve and measure one backend."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="follow-up-")))
        url = stack.enter_context(temporary_database(backend, folder))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        migrate.upgrade(engine)
        factory = make_sessionmaker(engine)
        with factory() as session:
            seed_demo(session, slug="inbox", customers=CUSTOMERS, seed=2)
            ws_id = session.scalar(select(Workspace.id).where(Workspace.slug == "inbox"))
            owner = session.scalar(
                select(StaffUser).where(StaffUser.email == staff_email("owner", "inbox"))
            )
            assert ws_id is not None and owner is not None
            started = time.perf_counter()
            seed_follow_ups(session, ws_id, ITEMS)
            session.commit()
            seeded = time.perf_counter() - started
            token = issue_token_for(session, owner, 12).token
            owner_id = owner.id
            total = session.scalar(select(func.count()).select_from(FollowUp))
        report(f"follow-up {backend}: {total:,} items seeded in {seeded:.1f} s")
        if backend == "postgresql":
            # The steady state autovacuum reaches minutes after a bulk load: visibility map
            # set (counts read the index alone) and statistics current.
            with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE follow_up")
        base = _serve(url, folder, stack)
        since_dt = utcnow() - timedelta(days=7)
        mix = _mix(since_dt.isoformat())
        api: dict[str, list[float]] = {}
        bare: dict[str, list[float]] = {}
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            first = client.get("/api/v1/follow-ups", params={"limit": 50}).json()
            second = {"cursor": first["next_cursor"]}
            for params in [*mix, second, "counts"]:
                label = "counts" if params == "counts" else str(params)
                path = "/api/v1/follow-ups" + ("/counts" if params == "counts" else "")
                query = {} if params == "counts" else {"limit": 50, **params}
                for i in range(REPEATS + 2):
                    t = time.perf_counter()
                    r = client.get(path, params=query)
                    ms = (time.perf_counter() - t) * 1000
                    assert r.status_code == 200, r.text
                    if i >= 2:  # the first two warm the caches
                        api.setdefault(label, []).append(ms)
                with factory() as session:
                    for i in range(REPEATS + 2):
                        t = time.perf_counter()
                        if params == "counts":
                            inbox.counts(session, ws_id, owner_id)
                        else:
                            f = _filter(
                                {**params, "since_dt": since_dt if "since" in params else None}
                            )
                            inbox.list_items(session, ws_id, owner_id, f, 50, params.get("cursor"))
                        ms = (time.perf_counter() - t) * 1000
                        if i >= 2:
                            bare.setdefault(label, []).append(ms)
        load = os.getloadavg()[0]
        worst = max(api, key=lambda k: _p95(api[k]))
        for label in api:
            report(
                f"follow-up {backend} {label}: p50 {statistics.median(api[label]):.1f} ms, "
                f"p95 {_p95(api[label]):.1f} ms "
                f"(in-process {statistics.median(bare[label]):.1f} ms)"
            )
        worst_p95 = _p95(api[worst])
        report.figure(
            f"inbox list p95, {ITEMS:,} items, {backend} (worst: {worst}; load {load:.1f})",
            f"{worst_p95:.1f} ms",
            f"in-process {_p95(bare[worst]):.1f} ms",
            worst_p95 / max(_p95(bare[worst]), 1e-6),
            f"< {TARGET_MS:.0f} ms",
            worst_p95 < TARGET_MS,
        )


def run(report: Report) -> None:
    """Both backends."""
    for backend in BACKENDS:
        bench(report, backend)


if __name__ == "__main__":
    r = Report()
    run(r)
    print(r.table())
