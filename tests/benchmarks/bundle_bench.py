"""The desktop bundle against the same console run from the virtual environment.

Figures: start to a responsive window listing the local workspace's customers, and start to
the workspace having started (its local server, from the same program, answering), bundle over
virtual environment, both started the same way (``--self-test``, which prints both moments)
on the same seeded local workspace, alternating, best of three each. Target: within 1.5x.
Also the bundle's size on disk. Needs ``make package`` (or ``make bundle``) first; without a
bundle the figure says so instead of passing.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from tests.benchmarks import harness
from tests.benchmarks.report import Report

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
BUNDLE = ROOT / "dist" / f"toolbag-portal-{VERSION}"
VENV_PROGRAM = Path(sys.executable).parent / "portal-console"
RUNS = 3


def _env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in harness.as_installed(dict(os.environ)).items()
        if not k.startswith(("PORTAL_", "XDG_"))
    }
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return env


def _start_to_list(program: Path, home: Path) -> tuple[float, float]:
    """Seconds from spawning ``program --self-test`` to the customer list showing, and to the
    workspace having started (its local server answering); then the console is closed."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(program), "--self-test"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    listed = ready = float("nan")
    for line in proc.stdout:
        if line.startswith("self-test: customer list shows"):
            listed = time.perf_counter() - started
        elif line.startswith("self-test: workspace started"):
            ready = time.perf_counter() - started
            # Enough seen: close the window the normal way (SIGTERM does), skip the panels.
            proc.send_signal(signal.SIGTERM)
        elif line.startswith(("self-test: no customer list", "self-test: workspace did not")):
            break
    proc.wait(timeout=120)
    if math.isnan(listed) or math.isnan(ready):
        raise RuntimeError(f"{program.name} --self-test failed (exit {proc.returncode})")
    return listed, ready


def _size_mib(folder: Path) -> float:
    files = (f for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files) / (1024 * 1024)


def run(report: Report) -> None:
    """Seed a local workspace once, then time both programs on it."""
    program = BUNDLE / "portal-console"
    if not program.exists():
        report.figure(
            "bundle: start to customer list / venv",
            "no bundle (run make package)",
            target="<= 1.5x",
            passed=None,
        )
        return
    with tempfile.TemporaryDirectory(prefix="portal-bundle-bench-") as folder:
        home = Path(folder)
        _start_to_list(VENV_PROGRAM, home)  # first run: seeds the workspace, fills the cache
        bundle: list[tuple[float, float]] = []
        venv: list[tuple[float, float]] = []
        for _ in range(RUNS):
            bundle.append(_start_to_list(program, home))
            venv.append(_start_to_list(VENV_PROGRAM, home))
    for index, what in ((0, "start to customer list"), (1, "start to workspace started")):
        best_bundle = min(run[index] for run in bundle)
        best_venv = min(run[index] for run in venv)
        ratio = best_bundle / best_venv
        report.figure(
            f"bundle: {what} / venv",
            f"{best_bundle:.2f} s",
            baseline=f"{best_venv:.2f} s venv",
            ratio=ratio,
            target="<= 1.5x",
            passed=ratio <= 1.5,
        )
    report.figure("bundle: size on disk", f"{_size_mib(BUNDLE):.0f} MiB", passed=None)
