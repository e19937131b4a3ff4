"""The soak's accounting: drain the outbox, then count answers, emails, approvals, payments.

Every figure is an absolute target from the hosting issue; the pages' p99 is also shown
against the same server's idle home page.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

from sqlalchemy import func, select

from server.db.engine import make_engine, make_sessionmaker
from server.db.models import AuditEvent, OutboxEmail, Payment, Quote
from tests.benchmarks.report import Report
from tests.benchmarks.soak_data import SoakData
from tests.benchmarks.soak_load import CRM_WRITES_PER_S, THINK_S, Tally, offered_pages_per_s
from tests.support.smtp import Inbox


def p99(values: list[float]) -> float:
    """The 99th percentile (NaN with fewer than two values)."""
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else float("nan")


# Longer than the sender's five-minute lease: an email still pending after this was lost, not
# merely waiting for a retry (backoff) or for the lease of a worker that retired mid-send.
DRAIN_S = 360.0


def drain_outbox(url: str, report: Report) -> None:
    """Wait until the mail sender has sent everything queued; say what was slow, and why."""
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        started = time.monotonic()
        pending = None
        while time.monotonic() - started < DRAIN_S:
            with factory() as db:
                pending = db.scalar(select(func.count()).where(OutboxEmail.status == "pending"))
            if not pending:
                break
            time.sleep(0.5)
        with factory() as db:
            retried = db.execute(
                select(OutboxEmail.attempts, OutboxEmail.status, OutboxEmail.last_error).where(
                    OutboxEmail.attempts > 1
                )
            ).all()
            left = db.execute(
                select(OutboxEmail.attempts, OutboxEmail.next_attempt_at, OutboxEmail.last_error)
                .where(OutboxEmail.status == "pending")
                .limit(5)
            ).all()
        report(f"outbox drained in {time.monotonic() - started:.0f} s after the load")
        if retried:
            report(f"{len(retried)} emails needed more than one attempt, e.g. {retried[0]}")
        if pending:
            report(f"{pending} emails still pending after {DRAIN_S:.0f} s, e.g. {left}")
    finally:
        engine.dispose()


def figures(
    report: Report,
    url: str,
    data: SoakData,
    tally: Tally,
    inbox: Inbox,
    idle_p99: float,
    *,
    seconds: float,
    workers: int,
    restart: tuple[float, float],
) -> None:
    """Report every figure of the soak (``restart``: when the rolling restart began and
    when its last old worker had gone, ``time.monotonic()``)."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            outbox = db.execute(
                select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
            )
            by_status = dict(outbox.all())
            approvals = Counter(
                detail.get("quote_id")
                for detail in db.scalars(
                    select(AuditEvent.detail).where(AuditEvent.action == "portal.quote_approved")
                )
            )
            approved_quotes = set(
                db.scalars(
                    select(Quote.id).where(
                        Quote.id.in_([p.quote_id for p in data.online]), Quote.status == "approved"
                    )
                )
            )
            payments = Counter(
                db.scalars(
                    select(Payment.invoice_id).where(
                        Payment.invoice_id.in_([p.invoice_id for p in data.online]),
                        Payment.status == "succeeded",
                    )
                )
            )
    finally:
        engine.dispose()
    ids = [m["Message-ID"] for m in inbox.messages]
    duplicated = len(ids) - len(set(ids))
    lost = by_status.get("sent", 0) - len(set(ids)) + by_status.get("pending", 0)
    answered = sum(tally.statuses.values())
    report(f"answers by status: {dict(sorted(tally.statuses.items()))}")
    for line in (tally.server_errors + tally.dropped)[:10]:
        report(f"  {line}")
    report.figure(
        "soak: server errors (5xx)",
        f"{len(tally.server_errors)} of {answered:,}",
        target="0",
        passed=not tally.server_errors and answered > 0,
    )
    report.figure(
        "soak: requests dropped (incl. rolling restart)",
        str(len(tally.dropped)),
        target="0",
        passed=not tally.dropped,
    )
    report.figure(
        "soak: emails lost / duplicated",
        f"{lost} / {duplicated} of {len(ids)} "
        f"({tally.invites} invites, {len(tally.paid)} receipts; "
        f"{by_status.get('failed', 0)} refused as undeliverable, shown to staff)",
        target="0 / 0",
        passed=lost == 0 and duplicated == 0 and len(ids) > 0,
    )
    twice = [q for q, n in approvals.items() if n > 1 and q in approved_quotes]
    report.figure(
        "soak: approvals recorded once",
        f"{len(tally.approved)} approved, {len(approved_quotes)} in the database, "
        f"{len(twice)} twice",
        target="all, once",
        passed=tally.approved == approved_quotes and not twice and bool(tally.approved),
    )
    paid_twice = [i for i, n in payments.items() if n > 1]
    report.figure(
        "soak: payments recorded once",
        f"{len(tally.paid)} paid, {len(payments)} in the database, {len(paid_twice)} twice",
        target="all, once",
        passed=tally.paid == set(payments) and not paid_twice and bool(tally.paid),
    )
    page_p99 = p99(tally.page_ms)
    report(f"slowest page: {tally.slowest[1]} in {tally.slowest[0]:.0f} ms")
    _when_slow(report, tally, restart)
    report.figure(
        f"soak: portal page p99 ({len(tally.page_ms):,} pages, {workers} workers, PostgreSQL)",
        f"{page_p99:.1f} ms",
        baseline=f"{idle_p99:.1f} ms idle home",
        ratio=page_p99 / idle_p99 if idle_p99 else None,
        target="< 100 ms",
        passed=page_p99 < 100,
    )
    report.figure(
        "soak: CRM record writes and staff invites",
        f"{tally.records:,} writes ({tally.records / seconds:.1f}/s), {tally.invites} invites",
        target=f"~{CRM_WRITES_PER_S:.0f}/s",
        passed=None,
    )
    offered = offered_pages_per_s(data)
    report.figure(
        f"soak: pages offered by {len(data.online):,} customers (a page every {THINK_S:.0f} s)",
        f"{len(tally.page_ms) / seconds:.1f}/s answered, {tally.late_pages:,} sent late"
        + (f" (the latest {tally.most_late_s:.1f} s)" if tally.late_pages else ""),
        baseline=f"{offered:.1f}/s offered",
        ratio=len(tally.page_ms) / seconds / offered if offered else None,
        target="all offered, none late",
        # The load is what it claims only if the client kept the pace it planned.
        passed=tally.late_pages == 0 and len(tally.page_ms) / seconds >= 0.9 * offered,
    )


def _when_slow(report: Report, tally: Tally, restart: tuple[float, float]) -> None:
    """Where the slow pages were: p99 before, during and after the rolling restart, and of
    each half minute (slow pages bunched in a few windows are a stall, not a steady cost)."""
    began, ended = restart
    parts: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    windows: dict[int, list[float]] = {}
    start = min(tally.page_at, default=0.0)
    for at, ms in zip(tally.page_at, tally.page_ms, strict=True):
        part = "before" if at < began else "during" if at < ended else "after"
        parts[part].append(ms)
        windows.setdefault(int((at - start) // 30), []).append(ms)
    report(
        "page p99 around the restart: "
        + ", ".join(f"{name} {p99(ms):.0f} ms ({len(ms):,} pages)" for name, ms in parts.items())
    )
    report(
        "page p99 by half minute: "
        + ", ".join(f"{p99(ms):.0f}" for _, ms in sorted(windows.items()))
        + f" ms (the restart began {began - start:.0f} s in)"
    )
