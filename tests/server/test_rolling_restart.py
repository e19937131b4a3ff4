"""``serve --workers N`` and SIGHUP: every worker is replaced, and no request goes unanswered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.server.test_worker_watch import _alive, _children, _wait_healthy, db_url
from tests.support.live_server import free_port

__all__ = ["db_url"]  # the fixture, on each backend


def _workers(main: int) -> set[int]:
    """The worker processes of a supervisor (not multiprocessing's resource tracker)."""
    found = set()
    for pid in _children(main):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and _alive(pid):
            found.add(pid)
    return found


def _serve(db_url: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    cmd = [sys.executable, "-m", "server.cli", "serve", "--database-url", db_url]
    cmd += ["--port", str(port), "--workers", "2", *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _keep_asking(url: str, stop: threading.Event, failures: list[str], answers: list[int]) -> None:
    # A browser sends a GET again when a kept-alive connection was closed under it before any
    # answer (a worker retiring); do the same, once, as the soak does.
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            for attempt in (1, 2):
                try:
                    answers.append(client.get("/healthz").status_code)
                    break
                except (httpx.RemoteProtocolError, httpx.ConnectError) as exc:
                    if attempt == 2:
                        failures.append(repr(exc))
            time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_sighup_replaces_every_worker_while_answering(db_url: str) -> None:
    """With uvicorn's 5 s default a busy machine kept every old worker (a new one was "not
    ready in time"); the server gives a new worker time to start."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    main = _serve(db_url, port)
    stop = threading.Event()
    failures: list[str] = []
    answers: list[int] = []
    asking = threading.Thread(target=_keep_asking, args=(url, stop, failures, answers))
    try:
        _wait_healthy(url, main)
        deadline = time.monotonic() + 30
        while len(old := _workers(main.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(old) == 2, "the server should run two worker processes"
        asking.start()
        main.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            now = _workers(main.pid)
            if len(now) == 2 and not now & old:
                break
            time.sleep(0.5)
        assert len(now) == 2 and not now & old, f"workers {old} should be replaced, have {now}"
        time.sleep(1)  # the new workers answer too
    finally:
        stop.set()
        if asking.is_alive():
            asking.join(timeout=60)
        main.terminate()
        main.wait(timeout=30)
    assert not failures, failures[:3]
    assert answers and set(answers) == {200}


def test_serve_gives_new_workers_a_minute_by_default() -> None:
    from server.cli import build_parser

    args = build_parser().parse_args(["serve", "--workers", "4"])
    assert args.worker_start_timeout == 60
    assert (
        build_parser().parse_args(["serve", "--worker-start-timeout", "90"]).worker_start_timeout
        == 90
    )
