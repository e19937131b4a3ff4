"""The Preview panel's speed, against a bare QtWebEngine load measured in the same run.

Figures:
- first preview painted (QtWebEngine's start included) against a bare QtWebEngine view loading
  the same page cold: target at most 2x;
- switching contact or device width, to a page laid out at the new width or of the new
  contact: p95 at most 250 ms, beside a bare view's page loads and width changes;
- the longest the UI thread stalled while previews loaded and switched: at most 50 ms, beside
  the same bare view doing as many loads and width changes (QtWebEngine's browser side runs
  on the UI thread, so part of any stall is its own) and beside an idle console.

Each cold measurement is its own process (``preview_probe``), as the console starts once; the
server is a separate process on a small seeded workspace, as the local server is.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from server.demo.seed import staff_email
from tests.benchmarks.report import Report
from tests.support.live_server import free_port

RUNS = 3
SLUG = "bench-preview"
FIRST_RATIO = 2.0
SWITCH_P95_S = 0.25
STALL_MS = 50


def _server(folder: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    cli = [sys.executable, "-m", "server.cli"]
    data = ["--data-dir", str(folder)]
    subprocess.run(
        [*cli, "seed-demo", *data, "--customers", "300", "--workspace", SLUG],
        env=env,
        check=True,
        capture_output=True,
    )
    token = (
        subprocess.run(
            [*cli, "issue-token", *data, "--email", staff_email("owner", SLUG)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .split()[-1]
    )
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [*cli, "serve", *data, "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        subprocess.run(["sleep", "0.1"], check=False)
    return proc, base, token


def _contacts(base: str, token: str) -> list[int]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        rows = c.get("/api/v1/customers", params={"portal_status": "active", "limit": 6}).json()[
            "data"
        ]
        out = []
        for row in rows:
            detail = c.get(f"/api/v1/customers/{row['id']}").json()
            out += [p["id"] for p in detail["contacts"] if p.get("portal_account")][:1]
        return out


def _probe(mode: str, base: str, token: str, contacts: list[int]) -> dict[str, object]:
    out = (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.benchmarks.preview_probe",
                mode,
                base,
                token,
                SLUG,
                *map(str, contacts),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return dict(json.loads(out))


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _ms(s: float) -> str:
    return f"{s * 1000:.0f} ms"


def run(report: Report) -> None:
    """First paint, switches and stalls, each against its baseline or target."""
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        proc, base, token = _server(Path(tmp))
        try:
            contacts = _contacts(base, token)
            bare_runs, panel = [], []
            for _ in range(RUNS):  # alternating, so both see the same machine
                bare_runs.append(_probe("bare", base, token, contacts))
                panel.append(_probe("panel", base, token, contacts))
        finally:
            proc.terminate()
            proc.wait(10)
    b = statistics.median(float(r["first_s"]) for r in bare_runs)  # type: ignore[arg-type]
    first = statistics.median(float(p["first_s"]) for p in panel)  # type: ignore[arg-type]
    report.figure(
        "preview first paint (cold)",
        _ms(first),
        f"{_ms(b)} bare QtWebEngine",
        first / b,
        f"<= {FIRST_RATIO:.0f}x",
        first / b <= FIRST_RATIO,
    )
    # Baselines: a plain view loading another page, and changing its width, in the same run
    # (a contact switch also asks the server for a fresh preview link first).
    for kind, bare_kind, name, what in (
        ("contacts_s", "loads_s", "contact", "bare page load"),
        ("widths_s", "widths_s", "device width", "bare width change"),
    ):
        times = [s for p in panel for s in p[kind]]  # type: ignore[attr-defined]
        bare_times = [s for r in bare_runs for s in r[bare_kind]]  # type: ignore[attr-defined]
        p95 = _p95(times)
        report.figure(
            f"preview switch {name} p95",
            _ms(p95),
            f"{_ms(_p95(bare_times))} {what} p95",
            p95 / _p95(bare_times),
            f"<= {SWITCH_P95_S * 1000:.0f} ms",
            p95 <= SWITCH_P95_S,
        )
        report(
            f"{name}: {len(times)} switches, median {_ms(statistics.median(times))}; "
            f"{what} median {_ms(statistics.median(bare_times))}"
        )
    stall = max(float(p["stall_ms"]) for p in panel)  # type: ignore[arg-type]
    idle = max(float(p["idle_stall_ms"]) for p in panel)  # type: ignore[arg-type]
    plain = max(float(r["stall_ms"]) for r in bare_runs)  # type: ignore[arg-type]
    report(f"longest stall of an idle console {idle:.0f} ms")
    report.figure(
        "preview longest UI stall while loading",
        f"{stall:.0f} ms",
        f"{plain:.0f} ms bare QtWebEngine loads and widths",
        stall / plain if plain else None,
        f"<= {STALL_MS} ms",
        stall <= STALL_MS,
    )
