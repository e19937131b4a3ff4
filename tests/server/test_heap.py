"""A worker of ``serve`` starts with the collector off, and turns it on once started."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import gc
import server.asgi
from server.heap import freeze_startup_objects
print(gc.isenabled())
freeze_startup_objects()
print(gc.isenabled(), gc.get_freeze_count())
"""


def _probe(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_a_worker_starts_without_the_collector_and_switches_it_on_once_started() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    before, after, frozen = _probe(env | {"PORTAL_WORKERS": "4"})
    assert before == "False"
    assert after == "True"
    assert int(frozen) > 50_000  # start-up's objects are out of the collector's reach


def test_importing_the_entry_point_elsewhere_leaves_the_collector_alone() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    before, after, _ = _probe(env)
    assert before == "True" and after == "True"
