"""Soak: a hosted server under mixed load for minutes, with a rolling restart of its workers.

PostgreSQL, ``portal-server serve --workers 4`` as in production, a real SMTP server. Signed-in
customers browse (home, jobs, invoices, quotes) at a person's pace and approve and pay; staff
invite contacts; the CRM writes records through the records API (``soak_load``). Near the end
the server gets SIGHUP, and uvicorn replaces its workers one at a time while the load goes on.
Afterwards every answer, email, approval and payment is accounted for, and the workers the
restart replaced are counted (a restart that replaced none would drop nothing).

Bounded: ``PORTAL_SOAK_SECONDS`` (default 300) of load, ``PORTAL_SOAK_ONLINE`` (default 1,000)
signed-in customers, each opening a page every ``PORTAL_SOAK_THINK_S`` (default 10) seconds;
every loop stops at the deadline. Figures are absolute targets from the hosting issue (0 server
errors, 0 lost or duplicated emails, approvals and payments recorded once, portal p99 under
100 ms, no request dropped by the restart), counted in ``soak_figures``; the pages' p99 is also
shown against the same server's p99 for the home page when idle, and the pages answered against
the pages the customers offered.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import StaffUser
from server.demo.seed import staff_email
from server.domain.staff import issue_token_for
from tests.benchmarks.report import Report
from tests.benchmarks.soak_data import SLUG, SoakData, arrange
from tests.benchmarks.soak_figures import drain_outbox, figures, p99
from tests.benchmarks.soak_load import (
    SESSION_COOKIE,
    THINK_S,
    Tally,
    offered_pages_per_s,
    portal_client,
    start_load,
)
from tests.support.databases import temporary_database
from tests.support.live_server import free_port
from tests.support.smtp import smtp_server

SECONDS = float(os.environ.get("PORTAL_SOAK_SECONDS", "300"))
ONLINE = int(os.environ.get("PORTAL_SOAK_ONLINE", "1000"))
WORKERS = 4


def run(report: Report) -> None:
    """The soak, then its figures."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-soak-")))
        url = stack.enter_context(temporary_database("postgresql", folder))
        data, token = _arrange(url, report)
        smtp_port = free_port()
        inbox = stack.enter_context(smtp_server(smtp_port))
        base, proc = _serve(url, smtp_port, folder, stack)
        idle_p99 = _idle_home_p99(base, data)
        tally = Tally()
        report(
            f"{len(data.online):,} customers, a page every {THINK_S:.0f} s each: "
            f"{offered_pages_per_s(data):.0f} pages/s offered for {SECONDS:.0f} s"
        )
        # The load's own process must not stall its clients: a full collection over what it
        # holds already (libraries, the arranged data) paused every client thread for
        # 170 ms, and the pages in flight counted the pause as the server's time.
        gc.collect()
        gc.freeze()
        threads = start_load(base, token, data, tally, time.monotonic() + SECONDS)
        time.sleep(SECONDS * 0.7)
        report(f"rolling restart of {WORKERS} workers (SIGHUP) under load")
        before = _workers(proc.pid)
        restart = (time.monotonic(), 0.0)
        proc.send_signal(signal.SIGHUP)
        while threads[0].is_alive() and before & _workers(proc.pid):
            time.sleep(0.2)
        restart = (restart[0], time.monotonic())
        report(f"the restart took {restart[1] - restart[0]:.1f} s")
        for t in threads:
            t.join(timeout=SECONDS + 120)
        # "No request dropped by the restart" means something only if the restart happened.
        replaced = len(before - _workers(proc.pid))
        report.figure(
            "soak: workers replaced by the rolling restart (during the load)",
            f"{replaced} of {len(before)}",
            target=f"{WORKERS} of {WORKERS}",
            passed=replaced == len(before) == WORKERS,
        )
        drain_outbox(url, report)
        figures(
            report,
            url,
            data,
            tally,
            inbox,
            idle_p99,
            seconds=SECONDS,
            workers=WORKERS,
            restart=restart,
        )


def _arrange(url: str, report: Report) -> tuple[SoakData, str]:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with make_sessionmaker(engine)() as db:
            started = time.perf_counter()
            data = arrange(db, customers=max(2 * ONLINE, 2000), online=ONLINE)
            owner = db.scalar(
                select(StaffUser).where(StaffUser.email == staff_email("owner", SLUG))
            )
            assert owner is not None
            token = issue_token_for(db, owner, 12).token
        report(f"arranged {ONLINE} signed-in customers in {time.perf_counter() - started:.0f} s")
        return data, token
    finally:
        engine.dispose()


def _serve(
    url: str, smtp_port: int, folder: Path, stack: contextlib.ExitStack
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env |= {
        "PORTAL_PUBLIC_BASE_URL": base,
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(smtp_port),
        "PORTAL_SMTP_STARTTLS": "false",
        "PORTAL_MAIL_POLL_SECONDS": "0.5",
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    log = stack.enter_context((folder / "server.log").open("w"))
    cmd = [sys.executable, "-m", "server.cli", "serve", "--database-url", url]
    cmd += ["--port", str(port), "--workers", str(WORKERS)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(_stop, proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {(folder / 'server.log').read_text()[-2000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return base, proc
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 90 s")


def _workers(supervisor: int) -> set[int]:
    """The live worker processes of ``serve --workers N`` (children running spawn_main)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, NotADirectoryError):
            continue
        parent, state = stat.rsplit(")", 1)[1].split()[1], stat.rsplit(")", 1)[1].split()[0]
        if parent == str(supervisor) and state != "Z" and b"spawn_main" in cmdline:
            found.add(int(entry.name))
    return found


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _idle_home_p99(base: str, data: SoakData) -> float:
    """The home page's p99 with nothing else running: what the soak's pages are set against."""
    times = []
    with portal_client(base) as client:
        for person in data.online[:200]:
            client.cookies.set(SESSION_COOKIE, person.cookie, path=f"/p/{SLUG}")
            started = time.perf_counter()
            client.get(f"/p/{SLUG}/")
            times.append((time.perf_counter() - started) * 1000)
    return p99(times)
