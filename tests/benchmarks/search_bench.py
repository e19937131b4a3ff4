"""Customer search per keystroke at 100,000 and 1,000,000 rows, against a naive filter.

Each query is typed one character at a time; every prefix is one keystroke. The baseline is
the obvious implementation (casefold every field of every row and look for the text), run on
a sample of the same keystrokes over the same rows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from app.customer_search import CustomerIndex, naive_search
from tests.support.customer_rows import make_rows

QUERIES = (
    "smith",
    "john smith",
    "maria garcia",
    "jennifer.lee",
    "oak st",
    "springfield",
    "555-0134",
    "(415) 555",
    "gmail",
    "wilson plumbing",
    "thompson",
    "zoë",
    "o'neil",
    "madison",
)
BUDGET_MS = {100_000: 16.0, 1_000_000: 50.0}
BASELINE_SAMPLE = 12


def keystrokes() -> list[str]:
    """Every prefix of every query, as typed."""
    return [q[:i] for q in QUERIES for i in range(1, len(q) + 1)]


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def run(report: Any) -> None:
    """Measure and print per-keystroke search times (index vs naive) at two sizes."""
    typed = keystrokes()
    for n, budget in BUDGET_MS.items():
        rows = make_rows(n)
        start = time.perf_counter()
        index = CustomerIndex(rows)
        build_s = time.perf_counter() - start
        index.search("", sort="email")  # sort orders are computed once, on first use
        fast = [_ms(lambda k=k: index.search(k)) for k in typed]
        filtered = [_ms(lambda k=k: index.search(k, {"active", "locked"})) for k in typed]
        by_email = [_ms(lambda k=k: index.search(k, sort="email")) for k in typed]
        step = max(1, len(typed) // BASELINE_SAMPLE)
        sample = typed[::step][:BASELINE_SAMPLE]
        naive = [_ms(lambda k=k: naive_search(index.rows, k)) for k in sample]
        fast_sample = [_ms(lambda k=k: index.search(k)) for k in sample]
        verdict = "within" if p95(fast) <= budget else "OVER"
        report(
            f"search {n:>9,} rows: index built in {build_s:.1f} s; per keystroke "
            f"p50 {statistics.median(fast):.2f} ms, p95 {p95(fast):.2f} ms, max {max(fast):.2f} ms "
            f"({verdict} the {budget:.0f} ms budget, {len(typed)} keystrokes)"
        )
        report(
            f"search {n:>9,} rows: with a status filter p95 {p95(filtered):.2f} ms; "
            f"sorted by email p95 {p95(by_email):.2f} ms"
        )
        ratio = statistics.mean(naive) / max(statistics.mean(fast_sample), 1e-6)
        figure = getattr(report, "figure", None)
        if figure is not None:
            figure(
                f"console search keystroke p95, {n:,} rows",
                f"{p95(fast):.2f} ms",
                f"naive filter {statistics.mean(naive):.1f} ms (mean, same rows)",
                p95(fast) / statistics.mean(naive),
                f"<= {budget:.0f} ms",
                p95(fast) <= budget,
            )
        report(
            f"search {n:>9,} rows: naive filter baseline mean {statistics.mean(naive):.1f} ms "
            f"vs index {statistics.mean(fast_sample):.2f} ms on the same {len(sample)} "
            f"keystrokes: {ratio:,.0f}x faster"
        )


if __name__ == "__main__":
    run(print)
