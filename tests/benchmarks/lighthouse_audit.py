"""Lighthouse audits of the portal pages customers see, at mobile and desktop sizes.

Not part of ``make bench`` (Lighthouse comes from npm, which the project does not depend
on): install it anywhere (``npm install lighthouse``) and point ``LIGHTHOUSE`` at its
``node_modules/.bin/lighthouse`` (or put it on PATH); Chromium is Debian's ``chromium``.

    python -m tests.benchmarks.lighthouse_audit

It seeds a small demo workspace in a temporary SQLite database, starts the real server,
signs in a customer with a waiting quote and an unpaid invoice, and audits sign-in, home, a
job, the quote, the invoice and its pay page for performance, accessibility, best practices
and SEO. It prints each page's scores and every audit that did not pass, and exits 1 when
any score is below 100.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.db.base import utcnow
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import Invoice, Job, PortalAccount, Quote, Workspace
from server.domain.portal_sessions import start_session

CATEGORIES = "performance,accessibility,best-practices,seo"
FORM_FACTORS = ("mobile", "desktop")
SKIPPED = ("notApplicable", "manual", "informative")


def _signed_in_customer(database_url: str, slug: str) -> tuple[str, dict[str, str]]:
    """A session cookie of a customer with a waiting quote and an unpaid invoice, and the
    paths of the pages to audit."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with make_sessionmaker(engine)() as db:
            ws_id = db.scalar(select(Workspace.id).where(Workspace.slug == slug))
            account = db.scalar(
                select(PortalAccount)
                .join(Quote, Quote.customer_id == PortalAccount.customer_id)
                .join(Invoice, Invoice.customer_id == PortalAccount.customer_id)
                .join(Job, Job.customer_id == PortalAccount.customer_id)
                .where(
                    PortalAccount.workspace_id == ws_id,
                    PortalAccount.status == "active",
                    PortalAccount.locked_until.is_(None),
                    Quote.status == "pending",
                    Quote.expires_at > utcnow(),
                    Invoice.status == "open",
                    Invoice.balance_cents > 0,
                )
                .limit(1)
            )
            if account is None:
                raise RuntimeError("no customer with a waiting quote and an unpaid invoice")
            mine = account.customer_id
            quote = db.scalar(select(Quote.id).where(Quote.customer_id == mine))
            invoice = db.scalar(
                select(Invoice.id).where(Invoice.customer_id == mine, Invoice.status == "open")
            )
            job = db.scalar(select(Job.id).where(Job.customer_id == mine))
            cookie = start_session(db, account, ip="127.0.0.1", user_agent="audit").token
            db.commit()
    finally:
        engine.dispose()
    base = f"/p/{slug}"
    pages = {
        "home": f"{base}/",
        "job": f"{base}/jobs/{job}",
        "quote": f"{base}/quotes/{quote}",
        "invoice": f"{base}/invoices/{invoice}",
        "pay": f"{base}/invoices/{invoice}/pay",
    }
    return cookie, pages


def audit(lighthouse: str, url: str, form_factor: str, headers: Path | None) -> dict[str, Any]:
    """One Lighthouse run; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        out = Path(folder) / "report.json"
        args = [lighthouse, url, f"--only-categories={CATEGORIES}", "--output=json"]
        args += [f"--output-path={out}", "--quiet", "--chrome-flags=--headless=new --no-sandbox"]
        if form_factor == "desktop":
            args.append("--preset=desktop")
        if headers is not None:
            args.append(f"--extra-headers={headers}")
        env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"}
        subprocess.run(args, check=True, timeout=300, env=env)
        report: dict[str, Any] = json.loads(out.read_text())
        return report


def findings(report: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """Scores per category (0 to 100) and the audits that did not pass."""
    scores = {k: round((v["score"] or 0) * 100) for k, v in report["categories"].items()}
    failed = []
    for name, category in report["categories"].items():
        for ref in category["auditRefs"]:
            found = report["audits"][ref["id"]]
            if found["scoreDisplayMode"] in SKIPPED or found["score"] is None:
                continue
            if found["score"] < 1 and (ref.get("weight", 0) > 0 or name != "performance"):
                shown = found.get("displayValue", "")
                failed.append(f"[{name}] {found['title']} {shown}".rstrip())
    return scores, failed


def main() -> int:
    """Seed, serve, sign in, audit every page at both sizes; 1 when a score is below 100."""
    # A small workspace is enough to audit pages (set before the harness reads it).
    os.environ.setdefault("PORTAL_BENCH_CUSTOMERS", "2000")
    from tests.benchmarks import harness

    lighthouse = os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse")
    if not lighthouse:
        print("Lighthouse not found: set LIGHTHOUSE or put it on PATH.", file=sys.stderr)
        return 2
    perfect = True
    try:
        srv = harness.seeded_server("sqlite")
        cookie, pages = _signed_in_customer(srv.database_url, harness.SLUG)
        with tempfile.TemporaryDirectory(prefix="audit-") as folder:
            headers = Path(folder) / "headers.json"
            headers.write_text(json.dumps({"Cookie": f"tb_portal={cookie}"}))
            targets: dict[str, tuple[str, Path | None]] = {
                "sign-in": (f"/p/{harness.SLUG}/sign-in", None)
            }
            targets |= {name: (path, headers) for name, path in pages.items()}
            for form_factor in FORM_FACTORS:
                for name, (path, sent) in targets.items():
                    report = audit(lighthouse, srv.url + path, form_factor, sent)
                    scores, failed = findings(report)
                    perfect = perfect and all(v == 100 for v in scores.values())
                    print(f"{name:8} {form_factor:7} {scores}")
                    for line in failed:
                        print(f"    {line}")
    finally:
        harness.close_all()
    return 0 if perfect else 1


if __name__ == "__main__":
    raise SystemExit(main())
