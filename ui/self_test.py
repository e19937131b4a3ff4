"""``portal-console --self-test``: does this installation work? Start, look, quit.

For packagers and support: the console starts as usual (on the local workspace unless a server
is named), waits until the customer list shows rows, opens every panel the sidebar offers and
waits for the work each panel starts to finish, then quits through File ▸ Quit as a person
would (which stops the local server). It prints one line per step and exits 0 only when every
step worked, so a bundle can be checked on a machine with no one at the screen.

It only ever waits with ``await``: the qasync loop is Qt's own event loop, so Qt draws and
delivers events meanwhile. Spinning Qt's loop by hand inside a coroutine would run other tasks'
steps nested inside this one, which asyncio refuses ("Cannot enter into task"): those tasks
never start and can never finish, and the console could not quit.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QWidget

from ui.main_window import MainWindow
from ui.operations import Operations

CUSTOMERS_TIMEOUT_S = 180.0  # a first run seeds the demo workspace first
PANEL_TIMEOUT_S = 60.0  # a panel's first load, Preview's browser engine start included
PANEL_SETTLE_S = 1.0  # the loads a panel starts have all begun by then
POLL_S = 0.1


def _say(line: str) -> None:
    print(f"self-test: {line}", flush=True)


def _listed_rows(widget: QWidget) -> int:
    """The most rows any list or table inside ``widget`` shows."""
    views = widget.findChildren(QAbstractItemView)
    return max((v.model().rowCount() for v in views if v.model() is not None), default=0)


class LoopErrors:
    """Records errors the event loop reports (a callback that raised, a task that broke).

    They still go to the log as before; the self-test fails when there is any, because such
    an error means some piece of work silently did not happen.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.messages: list[str] = []
        self._loop = loop
        self._previous = loop.get_exception_handler()
        loop.set_exception_handler(self._record)

    def _record(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        self.messages.append(
            f"{context.get('message', '')}: {error!r}" if error else context["message"]
        )
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def restore(self) -> None:
        """Hand error reporting back to the handler that was there before."""
        self._loop.set_exception_handler(self._previous)


async def _wait_for_start(window: MainWindow, start: asyncio.Task[Any]) -> bool:
    """Wait until the customer list shows rows, then until the workspace has started.

    A known local workspace shows its cached list at once while its server starts; panels
    opened before that would only report the server as not reachable yet.
    """
    began = time.monotonic()
    rows = 0
    while time.monotonic() - began < CUSTOMERS_TIMEOUT_S:
        page = window.stack.currentWidget()
        if not rows and page is not None and (rows := _listed_rows(page)):
            _say(f"customer list shows {rows:,} rows after {time.monotonic() - began:.1f} s")
        if rows and start.done():
            _say(f"workspace started after {time.monotonic() - began:.1f} s")
            return True
        await asyncio.sleep(0.1)
    what = "workspace did not finish starting" if rows else "no customer list"
    _say(f"{what} within {CUSTOMERS_TIMEOUT_S:.0f} s")
    return False


async def _open_panel(window: MainWindow, ops: Operations, row: int) -> bool:
    """Open the panel in sidebar ``row`` and wait for the work it started; True if it worked."""
    title = window.sidebar.item(row).text()
    before = ops.tasks
    started = time.monotonic()
    window.sidebar.setCurrentRow(row)
    page = window.stack.currentWidget()
    if page is None or page is window.start_page:
        _say(f"panel '{title}' did not open")
        return False
    # A panel starts its loads once it is shown (some a moment later): collect what starts
    # within the settle time, and wait until all of it has ended.
    seen: set[asyncio.Task[Any]] = ops.tasks - before  # no task has run a step yet
    busy: list[str] = []
    while time.monotonic() - started < PANEL_TIMEOUT_S:
        seen |= ops.tasks - before
        busy = sorted(t.get_name() for t in seen if not t.done())
        if not busy and time.monotonic() - started >= PANEL_SETTLE_S:
            break
        await asyncio.sleep(POLL_S)
    else:
        _say(f"panel '{title}' still busy after {PANEL_TIMEOUT_S:.0f} s: {', '.join(busy)}")
        return False
    banner = window.message_banner
    if banner.isVisible() and banner.property("kind") == "error":
        _say(f"panel '{title}' shows an error: {banner.text.text()}")
        return False
    loads = ", ".join(sorted({t.get_name() for t in seen})) or "nothing to load"
    _say(f"panel '{title}' opened ({type(page).__name__}): {loads}")
    return True


async def run(window: MainWindow, ops: Operations, start: asyncio.Task[Any]) -> int:
    """Check the window step by step, then quit; returns the exit status (0: all worked).

    ``start`` is the console's start-up task (open the workspace, sign in).
    """
    errors = LoopErrors(asyncio.get_running_loop())
    try:
        failures = await _check(window, ops, start)
    finally:
        errors.restore()
    if failures is None:
        _say("the window was closed; stopping")
        return 1
    for message in errors.messages:
        _say(f"error in the event loop: {message}")
    failures += len(errors.messages)
    _say("quitting" if not failures else f"{failures} step(s) failed; quitting")
    window.quit_action.trigger()  # File ▸ Quit, as a person would
    return 1 if failures else 0


async def _check(window: MainWindow, ops: Operations, start: asyncio.Task[Any]) -> int | None:
    """Failed steps, or None when the window was closed meanwhile (nothing left to check)."""
    failures = 0 if await _wait_for_start(window, start) else 1
    for row in range(window.sidebar.count()):
        if not window.isVisible():
            return None
        item = window.sidebar.item(row)
        if not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            _say(f"panel '{item.text()}' is not available here: {item.toolTip()}")
            continue
        if not await _open_panel(window, ops, row):
            failures += 1
    return failures
