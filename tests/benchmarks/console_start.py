"""A child process for the console benchmark: open a window and report when it is interactive.

``python -m tests.benchmarks.console_start bare T0`` shows a bare QMainWindow;
``... console T0 URL EMAIL TOKEN`` opens the console on a server whose cache is already
filled (under TOOLBAG_CONSOLE_HOME) and waits until the Access table holds every cached row;
``... console T0 URL EMAIL TOKEN down`` does the same with the server not answering (its
address refuses connections): the rows come from the cache alone.
Prints one JSON line: seconds since T0 (the parent's clock before it spawned us) to the window,
the first cached rows, all rows and the server's first answer, and RSS.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path


def _rss_kib(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:  # a child that just ended
        pass
    return 0


def _children() -> list[str]:
    found: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        found += (task / "children").read_text().split()
    return found


def rss_mib() -> float:
    """Resident memory of this process and its children (the cache writer) in MiB."""
    return sum(_rss_kib(pid) for pid in ["self", *_children()]) / 1024


async def _turn() -> None:
    # One more pass of the event loop: the window has painted and answers input.
    await asyncio.sleep(0.01)


async def bare(t0: float) -> dict[str, float]:
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    window.resize(1200, 780)
    window.show()
    await _turn()
    ready = time.time() - t0
    await asyncio.sleep(1.0)
    return {"seconds": ready, "rss_mib": rss_mib()}


def _refused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def console(
    t0: float, url: str, email: str, token: str, down: bool = False
) -> dict[str, float]:
    from PySide6.QtCore import QSettings

    from app import known_sessions, paths
    from app.api_client import make_http_client
    from app.config import Config
    from ui.console import Console
    from ui.main_window import MainWindow

    async with make_http_client() as http:
        settings = QSettings(str(paths.config_dir() / "w.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.show()
        c = Console(window, http, Config(), settings)
        # A second start knows the sign-in (as ``Console.start`` does with a remembered one):
        # the cache opens before the server has answered anything.
        me = known_sessions.recall(url, email)
        if down:
            url = f"http://127.0.0.1:{_refused_port()}"
        await c.open_session(url, email, token, source=url, me=me)
        window.select_panel("access")
        await _turn()
        interactive = time.time() - t0  # panels built, loop free, cached rows loading
        assert c.cache is not None and c.sync is not None
        expected = c.cache.customer_count()
        panel = window.panels["access"]
        first_rows = heard = 0.0
        while panel.model.rowCount() < expected:
            if not first_rows and panel.model.rowCount():
                first_rows = time.time() - t0
            if not heard and c.sync.last_heard is not None:
                heard = c.sync.last_heard.timestamp() - t0
            await asyncio.sleep(0.005)
        await _turn()
        ready = time.time() - t0
        first_rows = first_rows or ready
        waited = time.time() + 10  # a server that does not answer: rows came regardless
        while c.sync.last_heard is None and time.time() < waited:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        if not heard and c.sync.last_heard is not None:
            heard = c.sync.last_heard.timestamp() - t0
        await asyncio.sleep(1.0)
        result = {
            "interactive": interactive,
            "seconds": ready,
            "rss_mib": rss_mib(),
            "rows": float(expected),
            "first_rows": first_rows,
            "server_answered": heard,
            "remembered": float(me is not None),
        }
        await c.shutdown()
    return result


def main(argv: list[str]) -> None:
    """Run one measurement and print it."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")  # qasync binds to PySide6 whatever the order
    if argv[0] != "bare":
        from ui.main import load_core

        load_core()  # as ``portal-console`` does, before Qt
    import qasync
    from PySide6.QtWidgets import QApplication

    if argv[0] != "bare":
        from ui.console_app import prepare_web_engine

        prepare_web_engine()  # as the console does: importable, not started
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    t0 = float(argv[1])
    coro = bare(t0) if argv[0] == "bare" else console(t0, *argv[2:5], down=argv[5:] == ["down"])
    result = asyncio.run(coro, loop_factory=qasync.QEventLoop)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
