"""``make bench``: run every benchmark module and print one table of figures.

A benchmark module is a file named ``*_bench.py`` in this package with ``run(report)``.
Each figure is reported next to a baseline measured in the same run, so the ratio means
something on any machine. ``python -m tests.benchmarks search server`` runs only the modules
whose names contain one of the words. Exit status 1 when a module crashed; a MISS is a
result to read, not a crash.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from tests.benchmarks import harness
from tests.benchmarks.report import Report


def modules(words: list[str]) -> list[str]:
    """Names of the benchmark modules to run, in name order."""
    here = Path(__file__).resolve().parent
    found = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench"))
    return [m for m in found if not words or any(w in m for w in words)]


def main(argv: list[str]) -> int:
    """Run the chosen modules, then print the table."""
    report = Report()
    chosen = modules(argv)
    if not chosen:
        print(f"No benchmark module matches {argv}.", file=sys.stderr)
        return 2
    try:
        for name in chosen:
            print(f"== {name}", flush=True)
            started = time.perf_counter()
            try:
                module = importlib.import_module(f"tests.benchmarks.{name}")
                module.run(report)
            except Exception as exc:  # one broken module must not hide the others' figures
                traceback.print_exc()
                report.error(name, f"{type(exc).__name__}: {exc}")
            print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        harness.close_all()
    print()
    print(report.table())
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
