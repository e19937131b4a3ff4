"""The visibility exposure check on a 100,000-customer workspace, SQLite and PostgreSQL.

Figures: p50 of ``POST /api/v1/visibility-policy/exposure`` for a typical draft (four
switches) and for a draft that flips every field switch, against a baseline measured in the
same run: the bare counts of the records the check has to look at (jobs, quotes, invoices,
shared files) through a plain database connection. Target: p50 at most 1 s.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from tests.benchmarks.harness import LiveServer, seeded_server
from tests.benchmarks.report import Report
from tests.support.databases import BACKENDS

REPEATS = 7
P50_TARGET_S = 1.0
TYPICAL = {
    "fields": {
        "quotes": {"line_costs": True},
        "invoices": {"line_costs": True},
        "jobs": {"address": False, "technician_name": False},
    },
}


def _everything_flipped() -> dict[str, Any]:
    from server.wire.visibility import ACTIONS, FIELDS, JOB_STATUSES

    return {
        "fields": {s: {f: not on for f, on in fields.items()} for s, fields in FIELDS.items()},
        "actions": {a: not on for a, on in ACTIONS.items()},
        "status_labels": {s: f"{label} (new)" for s, label in JOB_STATUSES.items()},
    }


def _bare_counts(srv: LiveServer) -> float:
    """One pass of the plain counts the check cannot do without."""
    conn = srv.driver()
    mark = "?" if srv.backend == "sqlite" else "%s"
    try:
        cur = conn.cursor()
        start = time.perf_counter()
        for table in ("job", "quote", "invoice", "document", "photo"):
            cur.execute(
                f"SELECT count(*) FROM {table} WHERE workspace_id = {mark}", (srv.workspace_id,)
            )
            cur.fetchall()
        return time.perf_counter() - start
    finally:
        conn.close()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def bench(report: Report, srv: LiveServer) -> None:
    """p50 of the check for two drafts, against the bare counts."""
    base = statistics.median(_bare_counts(srv) for _ in range(REPEATS))
    with srv.client() as client:
        for label, policy in (("typical draft", TYPICAL), ("every switch", _everything_flipped())):
            body = {"policy": policy}
            first = client.post("/api/v1/visibility-policy/exposure", json=body)
            first.raise_for_status()
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                client.post("/api/v1/visibility-policy/exposure", json=body).raise_for_status()
                times.append(time.perf_counter() - start)
            p50 = statistics.median(times)
            report.figure(
                f"{srv.backend} exposure check, {label}, {srv.customers:,} customers p50",
                _ms(p50),
                f"{_ms(base)} bare counts",
                p50 / base if base else None,
                f"<= {P50_TARGET_S * 1000:.0f} ms",
                p50 <= P50_TARGET_S,
            )
            report(f"{label}: {first.json()['summary'][:300]}")


def run(report: Report) -> None:
    """Both backends."""
    for backend in BACKENDS:
        bench(report, seeded_server(backend))
