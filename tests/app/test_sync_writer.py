"""How the sync hands pages on: the next request before this page is written, the writer
process, and what happens when the writer process fails or the server says nothing."""

import asyncio
import contextlib
import os
import signal
import threading

import pytest

from app.api_client import ApiClient, RawChanges, make_http_client
from app.cache import Cache
from app.cache.page_writer import CacheWriteError, PageWriter
from app.sync import SyncEngine
from tests.support.console_server import add_customers

pytestmark = pytest.mark.asyncio


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.asynccontextmanager
async def syncing(ws, path, api_class=ApiClient, **options):
    """A cache at ``path`` and a sync engine for ``ws``; both stopped and closed after."""
    cache = Cache(path)
    try:
        async with make_http_client() as http:
            engine = SyncEngine(api_class(ws.base_url, http, ws.tokens["owner"]), cache, **options)
            try:
                yield engine
            finally:
                await engine.stop()
    finally:
        cache.close()


class QuietServerApi(ApiClient):
    """A server that does not name the next page in its headers."""

    async def changes_raw(self, since, limit):
        raw = await super().changes_raw(since, limit)
        return RawChanges(raw.body, None, None)


async def test_next_page_is_requested_while_this_one_is_written(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, 30)
    cache = Cache(tmp_path / "c.sqlite3")
    asked = threading.Event()
    overlapped: list[bool] = []

    class Api(ApiClient):
        async def changes_raw(self, since, limit):
            if since != "0":
                asked.set()
            return await super().changes_raw(since, limit)

    real_write = cache.write_json

    def slow_first_write(body, since=None):
        if not overlapped:  # the first page waits until the second has been asked for
            overlapped.append(asked.wait(5))
        return real_write(body, since)

    cache.write_json = slow_first_write
    async with make_http_client() as http:
        api = Api(ws.base_url, http, ws.tokens["owner"])
        engine = SyncEngine(api, cache, page_size=10, writer_process=False)
        await engine.sync_now()
        await engine.stop()
    assert overlapped == [True]
    assert cache.customer_count() == 30
    cache.close()


async def test_pages_are_written_by_the_writer_process(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 40)
    async with syncing(ws, tmp_path / "c.sqlite3", page_size=15) as engine:
        cache = engine.cache
        heard: list[set[int]] = []
        cache.on_customers_changed(heard.append)
        await engine.sync_now()
        pid = engine.pages.pid
        assert pid is not None and pid != os.getpid() and not engine.pages.in_process
        assert {r.id for r in cache.customer_rows()} == set(ids)
        assert set().union(*heard) == set(ids)  # listeners heard every id from the summaries
        assert cache.synced_once and cache.cursor != "0"
    assert not running(pid)  # stopped and reaped: no stray process


async def test_a_dead_writer_process_leaves_the_work_to_the_console(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 20)
    async with syncing(ws, tmp_path / "c.sqlite3", page_size=5) as engine:
        await engine.sync_now()
        pid = engine.pages.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if engine.pages.pid is None:
                break
            await asyncio.sleep(0.05)
        more = add_customers(live.sessionmaker, ws.id, 12)
        assert await engine.sync_now() == 12
        assert engine.pages.in_process and engine.pages.pid is None
        assert {r.id for r in engine.cache.customer_rows()} == set(ids + more)


async def test_a_server_without_next_page_headers_still_syncs(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 25)
    async with syncing(ws, tmp_path / "c.sqlite3", QuietServerApi, page_size=10) as engine:
        await engine.sync_now()
        assert engine.requests == 3
        assert {r.id for r in engine.cache.customer_rows()} == set(ids)


async def test_a_page_the_writer_cannot_read_is_an_error_and_changes_nothing(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    writer = PageWriter(cache)
    try:
        summary = await asyncio.to_thread(
            writer.write_json, b'{"data": [], "count": 0, "next_cursor": "7", "has_more": false}'
        )
        assert summary.next_cursor == "7" and cache.cursor == "7"
        with pytest.raises(CacheWriteError, match="JSON"):
            await asyncio.to_thread(writer.write_json, b'{"data": [')
        with pytest.raises(CacheWriteError, match="next_cursor"):
            await asyncio.to_thread(writer.write_json, b'{"data": []}')
        assert cache.cursor == "7" and not writer.in_process  # the process serves on
    finally:
        writer.close()
        cache.close()


async def test_a_poll_with_nothing_new_writes_nothing(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, 8)
    path = tmp_path / "c.sqlite3"
    cache = Cache(path)
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http, ws.tokens["owner"])
        first = SyncEngine(api, cache)
        assert await first.sync_now() == 8
        await first.stop()
        wal = path.with_name(path.name + "-wal")
        before = (wal.stat().st_mtime_ns, wal.stat().st_size, cache.cursor)
        again = SyncEngine(api, cache)
        assert await again.sync_now() == 0 and again.requests == 1
        assert again.pages.pid is None  # no writer process was needed
        assert (wal.stat().st_mtime_ns, wal.stat().st_size, cache.cursor) == before
        added = add_customers(live.sessionmaker, ws.id, 1)
        assert await again.sync_now() == 1 and cache.get_customer(added[0]) is not None
        await again.stop()
    cache.close()
