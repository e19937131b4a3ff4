"""A failed page is never skipped: a failure on each side, then the cache equals a clean sync.

Each test makes one page of a full sync fail while later pages are already fetched or queued
(the server's next-page headers let the engine run ahead), lets the engine retry by itself,
and compares the final cache with a clean full sync of the same server into a new file.
"""

import asyncio
import os
import signal
import sqlite3
import threading

import httpx
import pytest

from app.api_client import ApiClient, make_http_client
from app.cache import Cache, PageOutOfOrder
from app.sync import SyncEngine, SyncState
from tests.support.cache_state import cache_contents
from tests.support.console_server import add_customers, rename_customer

pytestmark = pytest.mark.asyncio

PAGE = 10
CUSTOMERS = 75
FAILING_PAGE = 3  # the third changes request of the full sync


async def until(predicate, within=30.0):
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class FaultyTransport(httpx.AsyncBaseTransport):
    """Forwards to the real server; the ``fail_at``-th changes answer is spoiled by ``spoil``."""

    def __init__(self, spoil, fail_at: int = FAILING_PAGE) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.spoil = spoil
        self.fail_at = fail_at
        self.changes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/api/v1/changes":
            return response
        self.changes += 1
        if self.changes != self.fail_at:
            return response
        body = await response.aread()
        await response.aclose()
        return self.spoil(response, body)

    async def aclose(self) -> None:
        await self.inner.aclose()


def server_error(response: httpx.Response, body: bytes) -> httpx.Response:
    return httpx.Response(500, json={"detail": "Internal error while reading changes."})


def cut_page(response: httpx.Response, body: bytes) -> httpx.Response:
    # The headers still name the next page, so the engine fetches and queues it behind this.
    headers = {k: v for k, v in response.headers.items() if k.startswith("x-")}
    return httpx.Response(200, headers=headers, content=body[: len(body) // 2])


async def clean_sync(ws, path):
    cache = Cache(path)
    async with make_http_client() as http:
        engine = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), cache, page_size=PAGE)
        await engine.sync_now()
        await engine.stop()
    cache.close()
    return cache_contents(path)


async def sync_through_fault(ws, tmp_path, *, transport=None, writer_process=True, wrap=None,
                             busy_timeout=5.0, fails=True):  # fmt: skip
    """Run the engine in the background through one injected failure; answers what it showed."""
    path = tmp_path / "faulty.sqlite3"
    cache = Cache(path, busy_timeout=busy_timeout)
    states: list[SyncState] = []
    errors: list[str] = []
    http = httpx.AsyncClient(transport=transport) if transport else make_http_client()
    async with http:
        engine = SyncEngine(
            ApiClient(ws.base_url, http, ws.tokens["owner"]),
            cache,
            page_size=PAGE,
            interval=0.05,
            retry_base=0.05,
            max_delay=0.2,
            writer_process=writer_process,
        )
        if wrap is not None:
            wrap(engine)
        engine.on_state(states.append)
        engine.on_error(lambda e: errors.append(e.message))
        engine.start()
        try:
            if fails:
                await until(lambda: engine.failures >= 1)
            await until(lambda: engine.state == SyncState.ONLINE and cache.synced_once)
        finally:
            await engine.stop()
    cache.close()
    return path, states, errors


async def test_a_server_error_on_a_page_is_retried_from_the_stored_cursor(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, CUSTOMERS)
    transport = FaultyTransport(server_error)
    path, states, errors = await sync_through_fault(ws, tmp_path, transport=transport)
    assert SyncState.FAILED in states and SyncState.OFFLINE not in states  # a 500 is not offline
    assert errors == ["Internal error while reading changes."]
    assert cache_contents(path) == await clean_sync(ws, tmp_path / "clean.sqlite3")


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-console"])
async def test_an_undecodable_page_is_not_skipped(live, ws, tmp_path, writer_process):
    ids = add_customers(live.sessionmaker, ws.id, CUSTOMERS)
    transport = FaultyTransport(cut_page)
    path, states, errors = await sync_through_fault(
        ws, tmp_path, transport=transport, writer_process=writer_process
    )
    assert SyncState.FAILED in states and len(errors) == 1
    assert "could not be read" in errors[0] and "tries again" in errors[0]
    assert transport.changes > CUSTOMERS // PAGE + 1  # pages after the bad one were fetched again
    contents = cache_contents(path)
    assert [r[0] for r in contents[0]] == sorted(ids)
    assert contents == await clean_sync(ws, tmp_path / "clean.sqlite3")


async def test_database_is_locked_on_a_page_is_not_skipped(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, CUSTOMERS)
    calls = []

    def lock_one_page(engine):
        real = engine.pages.write_json

        def write(body, since=None):
            calls.append(since)
            if len(calls) != FAILING_PAGE:
                return real(body, since)
            # Another connection holds the file for longer than the cache's busy timeout.
            other = sqlite3.connect(str(engine.cache.path), isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")
            try:
                return real(body, since)
            finally:
                other.execute("ROLLBACK")
                other.close()

        engine.pages.write_json = write

    path, states, errors = await sync_through_fault(
        ws, tmp_path, writer_process=False, wrap=lock_one_page, busy_timeout=0.1
    )
    assert SyncState.FAILED in states and len(errors) == 1 and "database is locked" in errors[0]
    # The page queued behind the locked one was refused, and the sync went on from the cursor
    # the cache held: every page written started where the one before it ended.
    assert calls.count(calls[FAILING_PAGE - 1]) >= 2
    assert cache_contents(path) == await clean_sync(ws, tmp_path / "clean.sqlite3")


async def test_a_killed_writer_process_loses_no_page(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, CUSTOMERS)
    killed = []

    def kill_while_writing(engine):
        real = engine.pages.write_json

        def write(body, since=None):
            if not killed and engine.pages.pid is not None and since not in (None, "0"):
                pid = engine.pages.pid
                # Killed a moment after the page was handed over: mid-page or just after.
                threading.Timer(0.001, os.kill, (pid, signal.SIGKILL)).start()
                killed.append(pid)
            return real(body, since)

        engine.pages.write_json = write

    # A page the writer had not committed is written by the console instead; one it had
    # committed is refused when written again, and the sync goes on from the stored cursor.
    path, _states, errors = await sync_through_fault(
        ws, tmp_path, wrap=kill_while_writing, fails=False
    )
    assert killed and len(errors) <= 1
    assert cache_contents(path) == await clean_sync(ws, tmp_path / "clean.sqlite3")


async def test_a_page_that_does_not_follow_the_cursor_writes_nothing(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 3)
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http, ws.tokens["owner"])
        first = await api.changes_raw("0", 2)
        second = await api.changes_raw(first.next_cursor, 2)
    cache = Cache(tmp_path / "c.sqlite3")
    with pytest.raises(PageOutOfOrder):
        cache.write_json(second.body, first.next_cursor)
    assert cache.cursor == "0" and cache.customer_count() == 0
    cache.write_json(first.body, "0")
    cache.write_json(second.body, first.next_cursor)
    assert {r.id for r in cache.customer_rows()} == set(ids)
    rename_customer(live.sessionmaker, ws.id, ids[0], "Renamed")
    cache.close()


async def test_sync_failures_are_logged(live, ws, tmp_path, caplog):
    add_customers(live.sessionmaker, ws.id, 30)
    caplog.set_level("WARNING", logger="app.sync")
    await sync_through_fault(ws, tmp_path, transport=FaultyTransport(server_error, 2))
    messages = [r.getMessage() for r in caplog.records if r.name == "app.sync"]
    assert any("sync failed (500)" in m for m in messages)
    assert any("sync works again" in m for m in messages)
