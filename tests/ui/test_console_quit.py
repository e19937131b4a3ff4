"""Quitting the console ends it, with every panel opened first (Preview's QtWebEngine too).

The console once stayed open for good after its self-test had opened every panel: the
self-test spun Qt's event loop inside a coroutine, every panel's load task died before its
first step, and quitting waited on them. These tests run the real program from empty home
folders, quit through File ▸ Quit, and check that the process ends and leaves no local server,
cache writer or QtWebEngine process behind.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ui.operations import Operations

PANELS = (
    "Access",
    "What customers see",
    "Preview",
    "File review",
    "Branding",
    "Rollout",
    "Team",
    "Settings",
)


def _home_env(home: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "PYENV_ROOT", "PYENV_VERSION")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return env | {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",  # Chromium's sandbox refuses root
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu",
    }


def _running_with_home(home: Path) -> list[str]:
    """Live processes started with ``home`` as HOME: the console and everything it started.

    Zombies are left out: they have ended and wait for their parent (or init) to collect them.
    """
    found = []
    marker = f"HOME={home}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if marker in environ and state != "Z":
            found.append(f"{entry.name}: {cmdline[:160]}")
    return found


@pytest.mark.webengine
@pytest.mark.timeout(420)
def test_self_test_opens_every_panel_then_quits_and_leaves_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    program = [sys.executable, "-m", "ui.main", "--self-test"]
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            program,
            cwd=root,
            env=_home_env(home),
            capture_output=True,
            text=True,
            timeout=360,
            check=False,
        )
    finally:
        # Whatever happened, nothing of this run may outlive the test.
        for line in _running_with_home(home):
            os.kill(int(line.split(":")[0]), 9)
    lines = [line for line in done.stdout.splitlines() if line.startswith("self-test:")]
    report = "\n".join(lines) + "\n" + done.stderr[-3000:]
    assert done.returncode == 0, report
    for title in PANELS:
        opened = rf"self-test: panel '{re.escape(title)}[^']*' opened \("
        assert re.search(opened, done.stdout), f"{title} not opened:\n{report}"
    assert lines[-1] == "self-test: quitting", report
    # The console is gone; its helpers must follow within moments (they stop before it ends).
    deadline = time.monotonic() + 10
    while _running_with_home(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running_with_home(home), "left behind:\n" + "\n".join(_running_with_home(home))
    log = (home / ".local" / "state" / "toolbag-portal" / "log" / "console.log").read_text()
    assert "Exception in callback" not in log
    assert "console closed" in log


@pytest.mark.asyncio
async def test_quitting_does_not_wait_for_ever_on_work_that_ignores_cancellation(caplog):
    ops = Operations()
    release = asyncio.Event()

    async def stubborn() -> None:
        # Work that cannot be ended by a cancel (as a task that never got its first step).
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue

    async def polite() -> None:
        await asyncio.sleep(3600)

    stuck_task = ops.run(stubborn(), label="Stubborn")
    polite_task = ops.run(polite(), label="Polite")
    await asyncio.sleep(0)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="ui.operations"):
        left = await ops.shutdown(grace=0.5)
    assert time.monotonic() - started < 3
    assert left == ["Stubborn"]
    assert polite_task.cancelled()
    assert "Stubborn" in caplog.text
    release.set()
    await stuck_task


@pytest.mark.asyncio
async def test_quitting_with_nothing_running_returns_at_once():
    assert await Operations().shutdown() == []
