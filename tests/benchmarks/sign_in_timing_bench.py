"""Whether an answer's timing tells which emails have accounts: known against unknown.

For "forgot password", a portal sign-in with a wrong password and a staff sign-in with a
wrong password, the median time of the answer for an email that has an account is compared
with the median for one that has none, interleaved, on a live server over SQLite in a process
of its own (in this process, work done after an answer would compete with the client for
the interpreter and show up as a slower answer that no remote client would see). The
baseline is the unknown email; the target is a ratio within 0.9 to 1.1 (the issue measured
1.4 for "forgot password" before its work moved after the answer). Rate-limit counters are
cleared between samples so that every request does the full work, and the order of the two
kinds alternates with a pause between requests (work done after an answer would otherwise
slow whichever request follows it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import RateLimitHit
from tests.benchmarks.harness import _stop, _wait_healthy
from tests.server.portal.fixtures import Browser, make_customer
from tests.support.live_server import free_port
from tests.support.workspaces import make_workspace

SAMPLES = 41
LOW, HIGH = 0.9, 1.1
PAUSE = 0.3


def _ms(fn: Callable[[], httpx.Response]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(report: Any) -> None:
    """Measure known against unknown emails for three answers that must not tell them apart."""
    folder = Path(tempfile.mkdtemp(prefix="timing-bench-"))
    url = f"sqlite:///{folder}/portal.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_sessionmaker(engine)

    def clear() -> None:
        with factory() as s:
            s.execute(delete(RateLimitHit))
            s.commit()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_PUBLIC_BASE_URL"] = base
    log = (folder / "server.log").open("w")
    server = [sys.executable, "-m", "server.cli", "serve", "--database-url", url]
    proc = subprocess.Popen(
        [*server, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    try:
        _wait_healthy(base, proc, folder / "server.log")
        ws = make_workspace(factory, base)
        known = [make_customer(factory, ws.id, ws.slug, records=False) for _ in range(SAMPLES)]
        browser = Browser(base, ws.slug)
        staff = httpx.Client(base_url=base, timeout=30)
        cases: dict[str, tuple[Callable[[int], httpx.Response], ...]] = {
            "forgot password": (
                lambda i: browser.post("/forgot", {"email": known[i].email}),
                lambda i: browser.post("/forgot", {"email": f"nobody{i}@example.net"}),
            ),
            "portal sign-in, wrong password": (
                lambda i: browser.sign_in(known[i].email, "not the password"),
                lambda i: browser.sign_in(f"nobody{i}@example.net", "not the password"),
            ),
            "staff sign-in, wrong password": (
                lambda i: staff.post(
                    "/api/v1/auth/token",
                    json={"email": ws.emails["owner"], "password": "not the password"},
                ),
                lambda i: staff.post(
                    "/api/v1/auth/token",
                    json={"email": f"nobody{i}@example.net", "password": "not it"},
                ),
            ),
        }
        for name, (for_known, for_unknown) in cases.items():
            times: dict[str, list[float]] = {"known": [], "unknown": []}
            for i in range(SAMPLES):
                # Alternate which goes first, and let work queued after an answer finish
                # before the next request, so neither kind pays for the other's.
                order = [("known", for_known), ("unknown", for_unknown)]
                for kind, call in order if i % 2 == 0 else order[::-1]:
                    clear()
                    times[kind].append(_ms(lambda call=call, i=i: call(i)))
                    time.sleep(PAUSE)
            k, u = statistics.median(times["known"]), statistics.median(times["unknown"])
            ratio = k / u
            report.figure(
                f"timing, {name}: known / unknown email",
                f"{k:.1f} ms",
                f"{u:.1f} ms",
                ratio,
                f"{LOW}-{HIGH}x",
                LOW <= ratio <= HIGH,
            )
        browser.close()
        staff.close()
    finally:
        _stop(proc)
        log.close()
        engine.dispose()
