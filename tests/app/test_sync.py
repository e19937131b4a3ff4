"""The sync engine against a live server: full, incremental, 410 resync, offline and back."""

import asyncio

import httpx
import pytest

from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.errors import AuthExpired
from app.sync import SyncEngine, SyncState, backoff_delay
from tests.support.console_server import (
    add_customers,
    delete_customer,
    expire_cursors,
    rename_customer,
)

pytestmark = pytest.mark.asyncio


async def until(predicate, within=10.0):
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_full_then_incremental_sync(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 250)
    cache = Cache(tmp_path / "c.sqlite3")
    async with make_http_client() as http:
        engine = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), cache, page_size=100)
        progress = []
        engine.on_progress(lambda label, done, total: progress.append(done))
        written = await engine.sync_now()
        assert written >= 250 and cache.customer_count() == 250
        assert engine.requests == 3 and progress[-1] == written
        assert {r.id for r in cache.customer_rows()} == set(ids)

        rename_customer(live.sessionmaker, ws.id, ids[5], "Renamed Ltd")
        delete_customer(live.sessionmaker, ws.id, ids[6])
        heard = []
        cache.on_customers_changed(heard.append)
        before = engine.requests
        await engine.sync_now()
        assert engine.requests - before == 1  # one change, one request
        assert cache.get_customer(ids[5]).name == "Renamed Ltd"
        assert cache.get_customer(ids[6]) is None and heard == [{ids[5], ids[6]}]
        await engine.stop()
    cache.close()


async def test_expired_cursor_triggers_a_full_resync(live, ws, tmp_path):
    ids = add_customers(live.sessionmaker, ws.id, 30)
    cache = Cache(tmp_path / "c.sqlite3")
    async with make_http_client() as http:
        engine = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), cache, page_size=10)
        await engine.sync_now()
        engine.page_size = 100  # the snapshot fits one page (see the next test for why)
        delete_customer(live.sessionmaker, ws.id, ids[0])
        expire_cursors(live.sessionmaker, ws.id)
        rename_customer(live.sessionmaker, ws.id, ids[1], "After horizon")
        labels = []
        engine.on_progress(lambda label, done, total: labels.append((label, total)))
        await engine.sync_now()
        assert labels and labels[0] == ("Full resync", 30)
        assert not cache.resyncing and cache.customer_count() == 29
        assert cache.get_customer(ids[0]) is None
        assert cache.get_customer(ids[1]).name == "After horizon"
        await engine.stop()
    cache.close()


async def test_a_snapshot_paged_below_the_horizon_completes(live, ws, tmp_path):
    # After a prune, live records keep sequence numbers below the horizon: a snapshot from 0
    # walked in small pages must still finish (its cursors carry the horizon it began under).
    ids = add_customers(live.sessionmaker, ws.id, 30)
    cache = Cache(tmp_path / "c.sqlite3")
    async with make_http_client() as http:
        engine = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), cache, page_size=10)
        await engine.sync_now()
        delete_customer(live.sessionmaker, ws.id, ids[0])
        expire_cursors(live.sessionmaker, ws.id)
        await asyncio.wait_for(engine.sync_now(), 10)
        assert not cache.resyncing and cache.customer_count() == 29
        assert cache.get_customer(ids[0]) is None
        before = engine.requests
        await engine.sync_now()
        assert engine.requests - before == 1  # caught up: one request, no resync
        await engine.stop()
    cache.close()


async def test_offline_then_reconnects_by_itself(ws, tmp_path):
    calls = {"n": 0}
    real = httpx.AsyncHTTPTransport()

    class Flaky(httpx.AsyncBaseTransport):
        """Refuses the first three connections, like a network that comes back."""

        async def handle_async_request(self, request):
            calls["n"] += 1
            if calls["n"] <= 3:
                raise httpx.ConnectError("network is down", request=request)
            return await real.handle_async_request(request)

    cache = Cache(tmp_path / "c.sqlite3")
    async with httpx.AsyncClient(transport=Flaky()) as http:
        engine = SyncEngine(
            ApiClient(ws.base_url, http, ws.tokens["owner"]),
            cache,
            interval=30,
            retry_base=0.05,
            max_delay=0.2,
        )
        states = []
        engine.on_state(states.append)
        engine.start()
        await until(lambda: engine.state == SyncState.ONLINE)
        assert states[-1] == SyncState.ONLINE and calls["n"] >= 4
        assert engine.last_error is None and cache.synced_once
        await engine.stop()
        assert not engine.running
    cache.close()


async def test_revoked_token_pauses_sync_and_reports_it(ws, tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http, "not-a-valid-token")
        engine = SyncEngine(api, cache, interval=0.05, retry_base=0.01)
        errors = []
        engine.on_error(errors.append)
        engine.start()
        await until(lambda: errors)
        await asyncio.sleep(0.3)
        assert len(errors) == 1 and isinstance(errors[0], AuthExpired)  # paused, not hammering
        api.token = ws.tokens["owner"]
        engine.wake()
        await until(lambda: engine.state == SyncState.ONLINE)
        await engine.stop()
    cache.close()


async def test_stop_mid_sync_leaves_a_consistent_cache(live, ws, tmp_path):
    add_customers(live.sessionmaker, ws.id, 2000)
    cache = Cache(tmp_path / "c.sqlite3")
    async with make_http_client() as http:
        engine = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), cache, page_size=100)
        engine.start()
        await until(lambda: cache.customer_count() >= 300)
        await engine.stop()
    rows, cursor = cache.customer_count(), int(cache.cursor.split(".")[0])  # "<seq>.<horizon>"
    assert rows >= 300 and cursor > 0
    # Every row up to the cursor is there, none past it: the page and cursor went together.
    assert rows % 100 == 0 or rows == 2000
    cache.close()


async def test_backoff_doubles_caps_and_jitters():
    delays = [backoff_delay(a, 1.0, 60.0) for a in range(10)]
    assert 0.5 <= delays[0] <= 1.0 and 4.0 <= delays[3] <= 8.0
    assert all(d <= 60.0 for d in delays) and delays[9] >= 30.0
    assert len({backoff_delay(5, 1.0, 60.0) for _ in range(20)}) > 1


async def test_reconnecting_is_prompt_but_does_not_hammer_a_server_that_is_down(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    engine = SyncEngine(ApiClient("http://127.0.0.1:9", httpx.AsyncClient()), cache)
    waits = [engine.retry_delay(a, offline=True) for a in range(40)]
    # Back within five seconds of the server after any outage, and never more than about one
    # try a second while it is down (the first waits are 0.5-1 s, then they grow).
    assert max(waits) <= 5.0 and min(waits) >= 0.5 and sum(waits[:10]) >= 15
    # An error answer (500) backs off further: the server is up but struggling.
    assert max(engine.retry_delay(a, offline=False) for a in range(40)) > 20
    cache.close()
