"""Branding panel: SVG logo rasterise-and-upload, and the live preview while typing.

On the local workspace's setup (SQLite, one server process on 127.0.0.1): an SVG logo read,
checked, drawn by QtSvg, inspected, uploaded and shown, against uploading the same prepared
PNG with a bare request; and the server-rendered preview's delay after the last keystroke,
with the UI thread's longest frame while typing, against the same loop left idle.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import StaffUser
from server.demo.seed import seed_demo, staff_email
from server.domain.staff import issue_token_for
from tests.benchmarks.harness import _stop, _wait_healthy
from tests.benchmarks.report import Report
from tests.support.live_server import free_port

SLUG = "branding-bench"


def _local_server(folder: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """A seeded SQLite workspace served as the console's local workspace is."""
    url = f"sqlite:///{folder / 'portal.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        seed_demo(session, slug=SLUG, customers=200, seed=1)
        owner = session.scalar(
            select(StaffUser).where(StaffUser.email == staff_email("owner", SLUG))
        )
        assert owner is not None
        token = issue_token_for(session, owner, 12).token
    engine.dispose()
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--database-url", url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(base, proc, folder / "server.log")
    return proc, base, token


def run(report: Report) -> None:
    """Measure in a child process (QtWebEngine), print the figures."""
    with tempfile.TemporaryDirectory(prefix="branding-bench-") as tmp:
        proc, base, token = _local_server(Path(tmp))
        try:
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.branding_probe", base, token],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            report(f"probe ran {time.perf_counter() - started:.1f} s")
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            if out.returncode != 0 or not lines:
                raise RuntimeError(f"probe failed: {out.stderr[-2000:]}")
            data = json.loads(lines[-1])
        finally:
            _stop(proc)
    upload = statistics.median(data["upload_ms"])
    plain = statistics.median(data["plain_upload_ms"])
    cold = data["upload_ms"][0]
    report(f"upload ms (first is cold): {data['upload_ms']}; plain: {data['plain_upload_ms']}")
    report.figure(
        "SVG logo rasterise + upload, median of 12",
        f"{upload:.0f} ms (cold {cold:.0f} ms)",
        f"{plain:.0f} ms plain PNG upload",
        upload / plain if plain else None,
        "< 300 ms end to end",
        max(upload, cold) < 300,
    )
    delays, frames, idle = data["preview_delay_ms"], data["longest_frame_ms"], data["idle_frame_ms"]
    report(f"preview delays {delays}; longest frames {frames}; idle {idle}")
    report.figure(
        "Preview shown after the last keystroke, worst of 6",
        f"{max(delays):.0f} ms (median {statistics.median(delays):.0f})",
        "-",
        None,
        "< 300 ms",
        max(delays) < 300,
    )
    report.figure(
        "Longest UI frame while typing, worst of 6",
        f"{max(frames):.0f} ms",
        f"{max(idle):.0f} ms idle loop",
        max(frames) / max(idle) if max(idle) else None,
        "< 50 ms",
        max(frames) < 50,
    )
