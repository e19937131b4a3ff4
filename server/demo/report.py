"""The one-paragraph report ``seed-demo`` prints."""

from __future__ import annotations

from server.db.models import Workspace
from server.demo.context import SeedContext


def _n(value: int, noun: str) -> str:
    return f"{value:,} {noun}"


def describe(
    ws: Workspace,
    created: bool,
    seed: int,
    ctx: SeedContext,
    changes: int,
    seconds: float,
    staff_emails: list[str],
) -> str:
    """Say what was made, how long it took, and how to sign in, in one paragraph."""
    counts = ctx.batch.counts
    t = ctx.tally
    status = "active" if ws.portal_status == "active" else "coming soon"
    made = "created" if created else "filled"
    accounts = ", ".join(
        f"{t[f'account_{s}']:,} {s.replace('_', ' ')}"
        for s in ("invited", "invite_expired", "active", "locked", "disabled")
    )
    problems = ", ".join(
        f"{t[f'email_{p}']:,} {label}"
        for p, label in (
            ("missing", "missing"),
            ("invalid", "invalid"),
            ("duplicate_in_customer", "duplicated within a customer"),
            ("shared_across_customers", "shared across customers"),
        )
    )
    return (
        f"Seeded workspace '{ws.slug}' ({ws.name}, portal {status}, {made}) from seed {seed} "
        f"in {seconds:.1f} s: {_n(counts['customer'], 'customers')}, "
        f"{_n(counts['contact'], 'contacts')}, {_n(counts['address'], 'addresses')}, "
        f"{_n(counts['job'], 'jobs')}, {_n(counts['quote'], 'quotes')}, "
        f"{_n(counts['invoice'], 'invoices')}, {_n(counts['payment'], 'payments')}, "
        f"{_n(counts['service_request'], 'service requests')}, "
        f"{_n(counts['document'], 'documents')} and {_n(counts['photo'], 'photos')} "
        f"({t['file_pending']:,} files waiting for review), "
        f"{_n(counts['audit_event'], 'audit events')} and {_n(changes, 'change-feed rows')}. "
        f"Portal accounts: {accounts}. Email problems to clean up before rollout: {problems}. "
        f"Staff sign-ins: {', '.join(staff_emails)} (random passwords, not shown; "
        "'portal-server local' prints a fresh owner password when it starts)."
    )
