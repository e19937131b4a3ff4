"""What the rollout benchmark puts the server through: 300,000 jobs, a freshly started server
process, and a CRM writing contacts while the panel reads.

Not a benchmark module itself (its name does not end in ``_bench``).
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, insert, select

from server.db.engine import make_engine
from server.db.models import Contact, Customer, Job
from tests.benchmarks.harness import LiveServer
from tests.benchmarks.report import Report
from tests.support.live_server import free_port

JOBS = int(os.environ.get("PORTAL_BENCH_JOBS", "300000"))
WRITES_PER_SECOND = 10.0
SAMPLE_CONTACTS = 2000


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


def settle(srv: LiveServer, report: Report) -> None:
    """After the bulk load, what a running PostgreSQL's autovacuum does on its own: fresh
    planner statistics and visibility maps (this machine's cluster runs without autovacuum,
    so without this every index-only scan would read the table too)."""
    if srv.backend != "postgresql":
        return
    started = time.perf_counter()
    with psycopg.connect(srv.database_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    report(f"{srv.backend}: VACUUM ANALYZE after the load, {time.perf_counter() - started:.1f} s")


@contextlib.contextmanager
def fresh_server(srv: LiveServer) -> Iterator[str]:
    """A newly started server process on the same database (nothing kept, nothing warmed);
    yields its base URL once it answers /healthz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    with tempfile.TemporaryDirectory(prefix="portal-bench-cold-") as folder:
        log = (Path(folder) / "server.log").open("w")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--database-url",
                srv.database_url,
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fresh server did not start")
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


class CrmWriter:
    """A CRM pushing contacts through the records API at a steady pace while the benchmark
    reads: most pushes change nothing, some give a contact a new, shared or mistyped
    address, and some put the old one back."""

    def __init__(self, srv: LiveServer, rate: float = WRITES_PER_SECOND) -> None:
        self.srv = srv
        self.rate = rate
        self.written = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        engine = make_engine(srv.database_url)
        try:
            with engine.connect() as conn:
                self.contacts = conn.execute(
                    select(
                        Contact.external_id,
                        Customer.external_id,
                        Contact.name,
                        Contact.email,
                        Contact.is_primary,
                    )
                    .join(Customer, Customer.id == Contact.customer_id)
                    .where(Contact.workspace_id == srv.workspace_id)
                    .order_by(Contact.id)
                    .limit(SAMPLE_CONTACTS)
                ).all()
        finally:
            engine.dispose()

    def __enter__(self) -> CrmWriter:
        self._thread = threading.Thread(target=self._run, name="crm-writer", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        rng = random.Random(15)
        with self.srv.client() as c:
            while not self._stop.is_set():
                started = time.perf_counter()
                ext, customer, name, email, primary = rng.choice(self.contacts)
                roll = rng.random()
                if roll < 0.15:
                    email = f"shared{rng.randrange(50)}@example.com"
                elif roll < 0.2:
                    email = f"{name.split()[0].lower()}@example,com"
                body = {
                    "customer_external_id": customer,
                    "name": name,
                    "email": email,
                    "is_primary": primary,
                }
                r = c.put(f"/api/v1/records/contacts/{ext}", json=body)
                if r.status_code >= 500:
                    self.failed.append(f"{r.status_code} {r.text[:200]}")
                self.written += 1
                self._stop.wait(max(0.0, 1 / self.rate - (time.perf_counter() - started)))
