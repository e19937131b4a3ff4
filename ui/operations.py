"""Runs the console's coroutines: strong references, progress, cancellation, one error sink."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.errors import ApiError, AuthExpired, OfflineError

log = logging.getLogger(__name__)

CoroFactory = Callable[[], Coroutine[Any, Any, Any]]

# How long quitting waits for cancelled work to unwind: cancelled HTTP requests and sync end
# in milliseconds; anything still running after this is stuck and must not keep the console.
SHUTDOWN_GRACE_S = 5.0


class Operations(QObject):
    """Starts tasks on the qasync loop and sends their outcome to one place.

    Signals: ``busy(label)`` when work starts, ``progress(label, done, total)`` (total -1 when
    unknown), ``idle()`` when nothing runs, ``failed(message, retry)`` for a plain-English
    error (``retry`` is a callable or None), ``auth_expired(error)``, ``offline(error)``.
    """

    busy = Signal(str)
    progressed = Signal(str, int, int)
    idle = Signal()
    failed = Signal(str, object)
    auth_expired = Signal(object)
    offline = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keyed: dict[str, asyncio.Task[Any]] = {}
        self._labels: dict[asyncio.Task[Any], str] = {}
        self._cancellable: set[asyncio.Task[Any]] = set()

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        """Tasks still running."""
        return set(self._tasks)

    def run(
        self,
        coro: Coroutine[Any, Any, Any] | CoroFactory,
        *,
        label: str,
        cancellable: bool = False,
        key: str | None = None,
        retry: CoroFactory | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` (or call a factory for one); a newer task with the same key cancels it.

        With ``retry`` (or when ``coro`` is a factory) an error message offers to try again.
        """
        if callable(coro):
            retry = retry or coro
            coro = coro()
        if key is not None and key in self._keyed:
            self._keyed[key].cancel()
        task = asyncio.get_running_loop().create_task(self._guard(coro, label, retry), name=label)
        self._tasks.add(task)
        self._labels[task] = label
        if cancellable:
            self._cancellable.add(task)
        if key is not None:
            self._keyed[key] = task
        # A task cancelled before its first step never starts ``coro``: close it then.
        task.add_done_callback(lambda t: self._done(t, key, coro))
        self.busy.emit(label)
        return task

    def progress(self, label: str, done: int, total: int | None = None) -> None:
        """Report progress of the running work in the status bar."""
        self.progressed.emit(label, int(done), -1 if total is None else int(total))

    def report(self, error: BaseException, retry: CoroFactory | None = None) -> None:
        """Send an error to the one place errors go (also for work not started by ``run``)."""
        if isinstance(error, AuthExpired):
            self.auth_expired.emit(error)
        elif isinstance(error, OfflineError):
            self.offline.emit(error)
            self.failed.emit(error.message, retry)
        elif isinstance(error, ApiError):
            message = error.message
            if error.forbidden:
                message = f"Not allowed: {message} Ask the workspace owner if you need this."
            self.failed.emit(message, retry)
        else:
            log.error("unexpected error", exc_info=error)
            self.failed.emit(
                "Something went wrong in the console. Details are in the log; try again.", retry
            )

    def cancel(self, key: str | None = None) -> None:
        """Cancel the task with ``key``, or every cancellable task when no key is given."""
        if key is not None:
            task = self._keyed.get(key)
            if task is not None:
                task.cancel()
            return
        for task in list(self._cancellable):
            task.cancel()

    async def cancel_others(self) -> None:
        """Cancel every task but the one calling this, and wait for them to unwind (before a
        workspace's files are removed: its panels' work must not reopen them)."""
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE_S) -> list[str]:
        """Cancel everything still running and wait up to ``grace`` seconds for it to unwind.

        Returns the labels of tasks that did not end in time (logged as errors). Quitting must
        not hang on them: a task whose step once failed to run is never scheduled again, and a
        cancel cannot end it.
        """
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if not tasks:
            return []
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        stuck = sorted(task.get_name() for task in pending)
        if stuck:
            log.error("still running %.0f s after cancelling, left behind: %s", grace, stuck)
        return stuck

    async def _guard(
        self, coro: Coroutine[Any, Any, Any], label: str, retry: CoroFactory | None
    ) -> Any:
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("%s failed: %s", label, exc)
            self.report(exc, retry)
            return None

    def _done(
        self, task: asyncio.Task[Any], key: str | None, coro: Coroutine[Any, Any, Any]
    ) -> None:
        coro.close()
        self._tasks.discard(task)
        self._cancellable.discard(task)
        self._labels.pop(task, None)
        if key is not None and self._keyed.get(key) is task:
            del self._keyed[key]
        if not self._tasks:
            self.idle.emit()
