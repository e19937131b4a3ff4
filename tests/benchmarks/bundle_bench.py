"""The desktop bundle against the same console run from the virtual environment.

Figure: start to a responsive window listing the local workspace's customers, bundle over
virtual environment, both started the same way (``--self-test``, which prints when the list
shows) on the same seeded local workspace, alternating, best of three each. Target: within
1.5x. Also the bundle's size on disk. Needs ``make package`` first; without a bundle the
figure says so instead of passing.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from tests.benchmarks.report import Report

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
BUNDLE = ROOT / "dist" / f"toolbag-portal-{VERSION}"
VENV_PROGRAM = Path(sys.executable).parent / "portal-console"
RUNS = 3


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "XDG_"))}
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return env


def _start_to_list(program: Path, home: Path) -> float:
    """Seconds from spawning ``program --self-test`` to its line saying customers show."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(program), "--self-test"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    seconds = float("nan")
    for line in proc.stdout:
        if line.startswith("self-test: customer list shows"):
            seconds = time.perf_counter() - started
        if line.startswith("self-test: no customer list"):
            break
    if proc.wait(timeout=300) != 0 or math.isnan(seconds):
        raise RuntimeError(f"{program.name} --self-test failed (exit {proc.returncode})")
    return seconds


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
        bundle: list[float] = []
        venv: list[float] = []
        for _ in range(RUNS):
            bundle.append(_start_to_list(program, home))
            venv.append(_start_to_list(VENV_PROGRAM, home))
    best_bundle, best_venv = min(bundle), min(venv)
    ratio = best_bundle / best_venv
    report.figure(
        "bundle: start to customer list / venv",
        f"{best_bundle:.2f} s",
        baseline=f"{best_venv:.2f} s venv",
        ratio=ratio,
        target="<= 1.5x",
        passed=ratio <= 1.5,
    )
    report.figure("bundle: size on disk", f"{_size_mib(BUNDLE):.0f} MiB", passed=None)
