"""Keeps the local cache in step with the server through ``GET /api/v1/changes``.

Pages are fetched on the event loop (httpx is async) and decoded and written by the cache
writer process (``app.cache.page_writer``), handed over from one worker thread, so a full sync
of 100,000 customers never stalls the UI and does not compete with it for the GIL.

A page is written only if the cache's cursor is still the one the page was fetched from, so a
page that failed (server error, undecodable, "database is locked", writer killed) is never
skipped: the pages queued behind it are dropped and the sync starts again from the stored
cursor after a jittered backoff. Offline, the engine retries every few seconds at most (a
connection refused costs the server nothing) so it is back soon after the server is; other
failures back off further. A 410 starts a full resync that keeps the old rows readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum

from app.api_client import ApiClient, RawChanges
from app.cache import Cache, PageSummary
from app.cache.page_writer import PageWriter
from app.errors import ApiError, AuthExpired, CursorExpired, OfflineError, SyncFailed

log = logging.getLogger(__name__)

# Pages handed to the writer thread and not yet written: enough that the server never waits
# for the console (and the console never for the server), each page a megabyte or two.
PAGES_AHEAD = 2
# How long the first round trip may wait for the cached rows to show (see ``start``): loading
# a saved index of 100,000 customers takes a few tenths of a second, a busy machine more.
FIRST_WAIT = 3.0


class SyncState(StrEnum):
    """What the sync engine is doing."""

    ONLINE = "online"
    OFFLINE = "offline"  # no answer from the server
    SYNCING = "syncing"
    FAILED = "failed"  # the server answered with an error, or a page could not be written


StateListener = Callable[[SyncState], None]
ProgressListener = Callable[[str, int, int | None], None]
ErrorListener = Callable[[ApiError], None]
CheckedListener = Callable[[], None]


def backoff_delay(attempt: int, base: float, max_delay: float) -> float:
    """Seconds before reconnection attempt ``attempt`` (0-based): doubling, capped, jittered."""
    ceiling = min(max_delay, base * float(2 ** min(attempt, 20)))
    # Jitter spreads the reconnects of many consoles after a server restart.
    return ceiling * random.uniform(0.5, 1.0)


class SyncEngine:
    """Catches the cache up with the server, then polls, reconnecting by itself when offline."""

    def __init__(
        self,
        api: ApiClient,
        cache: Cache,
        *,
        page_size: int = 1000,
        interval: float = 5.0,
        retry_base: float = 1.0,
        max_delay: float = 60.0,
        offline_max_delay: float = 5.0,
        writer_process: bool = True,
    ) -> None:
        self.api = api
        self.cache = cache
        self.pages = PageWriter(cache, use_process=writer_process)
        self.page_size = page_size
        self.interval = interval
        self.retry_base = retry_base
        self.max_delay = max_delay
        self.offline_max_delay = offline_max_delay
        self.failures = 0  # failed sync attempts, for tests and figures
        self.offline_since: datetime | None = None
        self.requests = 0  # changes requests made, for figures and tests
        self.last_error: ApiError | None = None
        self._state = SyncState.OFFLINE
        self._state_listeners: list[StateListener] = []
        self._progress_listeners: list[ProgressListener] = []
        self._error_listeners: list[ErrorListener] = []
        self._checked_listeners: list[CheckedListener] = []
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._paused = False
        self._written = 0
        # One thread: pages are written in order, and never two at once.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")

    # -- listeners -------------------------------------------------------------------------

    @property
    def last_heard(self) -> datetime | None:
        """When the server last answered anything (an error answer counts: it is up)."""
        return self.api.last_answer

    @property
    def state(self) -> SyncState:
        """``online``, ``offline`` or ``syncing``."""
        return self._state

    def on_state(self, callback: StateListener) -> None:
        """Call ``callback(state)`` whenever the state changes."""
        self._state_listeners.append(callback)

    def on_progress(self, callback: ProgressListener) -> None:
        """Call ``callback(label, done, total or None)`` while a sync writes pages."""
        self._progress_listeners.append(callback)

    def on_error(self, callback: ErrorListener) -> None:
        """Call ``callback(error)`` on a failure (``AuthExpired`` pauses the engine)."""
        self._error_listeners.append(callback)

    def on_checked(self, callback: CheckedListener) -> None:
        """Call ``callback()`` after every sync round that reached the server and finished."""
        self._checked_listeners.append(callback)

    def _set_state(self, state: SyncState, *, again: bool = False) -> None:
        # ``again``: listeners hear a failure state even when it is not new (the first
        # failure after start, or a different error while already failing).
        if again or state != self._state:
            self._state = state
            for listener in list(self._state_listeners):
                listener(state)

    def _progress(self, label: str, done: int, total: int | None) -> None:
        for listener in list(self._progress_listeners):
            listener(label, done, total)

    # -- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """The background loop is alive."""
        return self._task is not None and not self._task.done()

    def start(self, first: asyncio.Event | None = None, at_most: float = FIRST_WAIT) -> None:
        """Start syncing in the background on the running loop.

        With ``first``, the first round trip waits until that event is set (the console's
        cached rows are on screen) or ``at_most`` seconds pass: on a second start the rows a
        person came for show before anything waits on, or competes with, the server.
        """
        if self.running:
            return
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._paused = False
        self._task = asyncio.get_running_loop().create_task(self._run(first, at_most), name="sync")

    async def stop(self) -> None:
        """Stop the background loop; a page being written finishes, so the cache stays whole."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._writer.shutdown, True)
        await loop.run_in_executor(None, self.pages.close)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")

    def wake(self) -> None:
        """Try now instead of waiting (after a new sign-in, or the person pressed Retry)."""
        self._paused = False
        if self._wake is not None:
            self._wake.set()

    def report_offline(self, error: ApiError) -> None:
        """Another request found the server unreachable: go offline now and check again."""
        self._failed(error, SyncState.OFFLINE)
        self.wake()

    async def sync_now(self) -> int:
        """Catch up with the server now; returns how many rows were written."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await self._catch_up()

    async def _run(self, first: asyncio.Event | None = None, at_most: float = 0.0) -> None:
        if first is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first.wait(), at_most)
        attempt = 0
        while True:
            try:
                await self.sync_now()
            except AuthExpired as exc:
                # Nothing to retry until someone signs in again and calls wake().
                self._paused = True
                self._failed(exc, SyncState.OFFLINE)
            except OfflineError as exc:
                self._failed(exc, SyncState.OFFLINE)
                attempt += 1
            except ApiError as exc:
                self._failed(exc, SyncState.FAILED)
                attempt += 1
            except Exception as exc:  # a page that could not be written: never end the loop
                log.warning("sync failed writing the cache", exc_info=True)
                self._failed(SyncFailed.from_write(exc), SyncState.FAILED)
                attempt += 1
            else:
                attempt = 0
                self._succeeded()
            if self._paused:
                delay: float | None = None
            elif attempt:
                delay = self.retry_delay(attempt - 1, offline=self._state == SyncState.OFFLINE)
            else:
                delay = self.interval
            await self._sleep(delay)

    def retry_delay(self, attempt: int, *, offline: bool) -> float:
        """Seconds before retry ``attempt`` (0-based). Offline, a try is a refused connection
        or a timeout that costs the server nothing, so the wait stays short and the console is
        back within a few seconds of the server; after an error answer it grows further."""
        cap = self.offline_max_delay if offline else self.max_delay
        return backoff_delay(attempt, self.retry_base, max(cap, self.retry_base))

    def _succeeded(self) -> None:
        if self.offline_since is not None:
            gone = (datetime.now(UTC) - self.offline_since).total_seconds()
            log.warning("reconnected to %s after %.0f s without it", self.api.base_url, gone)
            self.offline_since = None
        elif self.last_error is not None:
            log.warning("sync works again after: %s", self.last_error.message)
        self.last_error = None
        self._set_state(SyncState.ONLINE)
        for listener in list(self._checked_listeners):
            listener()

    def _failed(self, exc: ApiError, state: SyncState = SyncState.OFFLINE) -> None:
        self.failures += 1
        if isinstance(exc, AuthExpired):
            log.warning("sync paused: the sign-in was refused")
        elif state == SyncState.OFFLINE:
            if self.offline_since is None:
                self.offline_since = datetime.now(UTC)
                log.warning("server unreachable: %s", exc.message)
        else:
            log.warning("sync failed (%s): %s", exc.status or "cache", exc.message)
        changed = self.last_error is None or self.last_error.message != exc.message
        self.last_error = exc
        self._set_state(state, again=changed)
        for listener in list(self._error_listeners):
            listener(exc)

    async def _sleep(self, delay: float | None) -> None:
        assert self._wake is not None
        # A wake() that came during the last sync counts: it is cleared only after waiting.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)
        self._wake.clear()

    async def _catch_up(self) -> int:
        """Fetch pages until the feed has no more, writing pages while the next downloads.

        The server names the next page's cursor in the answer's headers, so the next request
        goes out at once while the writer decodes and writes earlier pages: the server's work
        and the console's overlap. Pages are written in order on the one writer thread, each
        with the cursor it started from and the cursor after it, and only onto that starting
        cursor: when one fails, the pages behind it are dropped (or refused, if already
        running) and the failure ends this round. At most ``PAGES_AHEAD`` pages wait.
        """
        loop = asyncio.get_running_loop()
        self._written = 0
        resync = self.cache.resyncing
        expected = self.cache.customer_count() if resync else None
        cursor = self.cache.cursor
        writing: deque[asyncio.Future[PageSummary]] = deque()
        restarted = False
        try:
            while True:
                try:
                    self.requests += 1
                    raw = await self.api.changes_raw(cursor, self.page_size)
                except CursorExpired as exc:
                    while writing:
                        await self._finish(writing.popleft(), resync, True, expected)
                    if resync and cursor != "0" and restarted:
                        # The server refused a cursor it handed out during this very
                        # snapshot twice (old deletes were pruned while copying): give up
                        # until the next sync rather than loop.
                        raise ApiError(
                            "The server could not hand over a full copy of the data. The "
                            "console keeps the data it has and tries again later.",
                            exc.status,
                        ) from exc
                    restarted = resync and cursor != "0"
                    log.warning("cursor %s is too old; starting a full resync", cursor)
                    await loop.run_in_executor(self._writer, self.pages.begin_resync)
                    resync, expected = True, self.cache.customer_count() or None
                    cursor = "0"
                    continue
                except ApiError:
                    # The pages already fetched are good: let them land before giving up.
                    while writing:
                        await self._finish(writing.popleft(), resync, bool(writing), expected)
                    raise
                if not writing and self._nothing_new(raw, cursor, resync):
                    return self._written
                while len(writing) >= PAGES_AHEAD:
                    await self._finish(writing.popleft(), resync, True, expected)
                page = loop.run_in_executor(self._writer, self.pages.write_json, raw.body, cursor)
                writing.append(page)
                if raw.next_cursor is None or raw.has_more is None:
                    # A server that does not say in its headers: the page itself tells.
                    summary = await asyncio.shield(page)
                    cursor, has_more = summary.next_cursor, summary.has_more
                else:
                    cursor, has_more = raw.next_cursor, raw.has_more
                if not has_more:
                    while writing:
                        done = writing.popleft()
                        await self._finish(done, resync, bool(writing), expected)
                    return self._written
        except BaseException:
            # Pages not started yet are dropped; one already running is refused by the cache
            # (its starting cursor no longer matches) or lands whole: either way the next
            # round starts from the cursor the cache holds.
            for queued in writing:
                queued.cancel()
            raise

    def _nothing_new(self, raw: RawChanges, cursor: str, resync: bool) -> bool:
        """The server says the feed has not moved since a complete copy: nothing to write
        (a console left open polls every few seconds; the cache file stays untouched)."""
        return (
            raw.has_more is False
            and raw.next_cursor == cursor
            and not resync
            and self.cache.synced_once
        )

    async def _finish(
        self,
        writing: asyncio.Future[PageSummary],
        resync: bool,
        has_more: bool,
        expected: int | None,
    ) -> None:
        summary = await writing
        self._written += summary.rows
        if summary.rows or has_more:
            self._set_state(SyncState.SYNCING)
        self.cache.notify(summary)
        if resync or has_more or self._written > summary.rows:
            self._progress("Full resync" if resync else "Syncing", self._written, expected)
