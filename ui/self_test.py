"""``portal-console --self-test``: does this installation work? Start, look, quit.

For packagers and support: the console starts as usual (on the local workspace unless a server
is named), waits until the customer list shows rows, opens every panel the sidebar offers,
then closes the window the normal way (which stops the local server). It prints one line per
step and exits 0 only when every step worked, so a bundle can be checked on a machine with no
one at the screen.
"""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from ui.main_window import MainWindow

CUSTOMERS_TIMEOUT_S = 180.0  # a first run seeds the demo workspace first
PANEL_SETTLE_S = 1.5


def _say(line: str) -> None:
    print(f"self-test: {line}", flush=True)


def _listed_rows(widget: QWidget) -> int:
    """The most rows any list or table inside ``widget`` shows."""
    views = widget.findChildren(QAbstractItemView)
    return max((v.model().rowCount() for v in views if v.model() is not None), default=0)


async def _settle(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        await asyncio.sleep(0.05)


async def run(window: MainWindow) -> int:
    """Check the window step by step; returns the exit status (0: everything worked)."""
    failures = 0
    started = time.monotonic()
    rows = 0
    while time.monotonic() - started < CUSTOMERS_TIMEOUT_S:
        page = window.stack.currentWidget()
        rows = _listed_rows(page) if page is not None else 0
        if rows:
            break
        await asyncio.sleep(0.2)
    if rows:
        _say(f"customer list shows {rows:,} rows after {time.monotonic() - started:.1f} s")
    else:
        _say(f"no customer list within {CUSTOMERS_TIMEOUT_S:.0f} s")
        failures += 1

    for i in range(window.sidebar.count()):
        item = window.sidebar.item(i)
        title = item.text()
        if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            _say(f"panel '{title}' is not available here: {item.toolTip()}")
            continue
        window.sidebar.setCurrentRow(i)
        await _settle(PANEL_SETTLE_S)
        page = window.stack.currentWidget()
        if page is None or page is window.start_page:
            _say(f"panel '{title}' did not open")
            failures += 1
        else:
            _say(f"panel '{title}' opened ({type(page).__name__})")
    _say("closing" if not failures else f"{failures} step(s) failed; closing")
    return 1 if failures else 0
