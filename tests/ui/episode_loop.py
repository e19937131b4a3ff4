"""A qasync loop for tests that run it in episodes (``run_until_complete`` again and again).

qasync's ``run_until_complete`` processes the pending Qt events once more after the loop has
stopped, with no asyncio loop running. A task that is half-way (an HTTP request the panel
started, a sync in the background) is then stepped by a Qt timer or socket notifier outside
any loop, and fails with "no running event loop" (from anyio inside httpx). Between episodes
the console itself never stops its loop, so only the tests need this: here the pending
events simply wait for the next episode, where they run inside the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import qasync

T = TypeVar("T")


class EpisodeLoop(qasync.QEventLoop):  # type: ignore[misc]
    """``qasync.QEventLoop`` whose ``run_until_complete`` leaves no event for outside it."""

    def run_until_complete(self, future: Awaitable[T]) -> T:
        """Run until ``future`` is done; events still pending wait for the next run."""
        task: asyncio.Future[Any] = asyncio.ensure_future(future, loop=self)
        task.add_done_callback(lambda _t: self.stop())
        self.run_forever()
        if not task.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return task.result()  # type: ignore[no-any-return]
