"""``serve --workers N``: the workers end with their main process, so the port is free again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend."""
    with temporary_database(request.param, tmp_path) as url:
        yield url


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and brackets; the parent id follows the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    cmd = [sys.executable, "-m", "server.cli", "serve", "--database-url", db_url]
    cmd += ["--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
    pytest.fail("the server did not answer")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_killing_the_main_process_ends_its_workers(db_url: str) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    main = _start(db_url, port, workers=2)
    workers: list[int] = []
    try:
        _wait_healthy(url, main)
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            # uvicorn's spawn start method adds a resource tracker beside the two workers
            workers = [p for p in _children(main.pid) if _alive(p) and _children(p) == []]
            time.sleep(0.2)
        assert len(workers) >= 2, "the server should run two worker processes"
        os.kill(main.pid, signal.SIGKILL)
        main.wait(timeout=10)

        deadline = time.monotonic() + 15
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers), "workers outlived their main process"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/healthz", timeout=2)

        again = _start(db_url, port, workers=1)
        try:
            _wait_healthy(url, again)  # the address is free: no "address already in use"
        finally:
            again.terminate()
            again.wait(timeout=20)
    finally:
        for pid in [main.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
