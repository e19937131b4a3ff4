"""Kill the server 20 times at random points of a full sync of 100,000 customers.

Part of ``make test`` (about three minutes). After every kill the cache agrees with its
cursor: it holds exactly the customers whose change comes at or before the cursor, none
twice. After the last restart the sync finishes by itself, and the cache equals a clean full
sync of the same server into a new file.
"""

import asyncio
import random
import time

import pytest
from sqlalchemy import select

from app.api_client import ApiClient, make_http_client
from app.cache import Cache
from app.sync import SyncEngine, SyncState
from server.db.models import Change
from tests.support.cache_state import cache_contents, cursor_and_ids
from tests.support.console_server import RestartableServer, add_customers
from tests.support.workspaces import make_workspace

pytestmark = pytest.mark.asyncio

CUSTOMERS = 100_000
KILLS = 20


async def until(predicate, within=120.0):
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def change_seqs(server, workspace_id):
    """customer id -> the seq of its change, as the server's feed orders them."""
    with server.sessionmaker() as session:
        rows = session.execute(
            select(Change.entity_id, Change.seq).where(
                Change.workspace_id == workspace_id, Change.entity == "customer"
            )
        ).all()
    return dict(rows)


def assert_consistent(path, seqs):
    cursor, ids, complete = cursor_and_ids(path)
    upto = int(cursor.split(".")[0])
    expected = {cid for cid, seq in seqs.items() if seq <= upto}
    assert ids == expected, f"cursor {cursor}: {len(ids)} rows, {len(expected)} expected"
    return len(ids), complete


# About three minutes on a loaded two-core machine: twenty restarts of a real server process
# (each forked from a warm parent) and a full copy of 100,000 customers.
@pytest.mark.timeout(900)
async def test_killing_the_server_20_times_during_a_full_sync_loses_nothing(tmp_path):
    server = RestartableServer(tmp_path)
    try:
        ws = make_workspace(server.sessionmaker, server.url)
        add_customers(server.sessionmaker, ws.id, CUSTOMERS)
        seqs = change_seqs(server, ws.id)
        path = tmp_path / "cache.sqlite3"
        cache = Cache(path)
        rng = random.Random(11)
        # Kill points spread over the whole copy, in rows the cache holds.
        points = sorted(rng.sample(range(1, CUSTOMERS - 2000), KILLS))
        async with make_http_client() as http:
            engine = SyncEngine(
                ApiClient(ws.base_url, http, ws.tokens["owner"]),
                cache,
                retry_base=0.05,
                offline_max_delay=0.2,
            )
            engine.start()
            seen = []
            for point in points:
                await until(lambda p=point: cache.customer_count() >= p)
                server.kill()
                held, complete = assert_consistent(path, seqs)
                assert not complete
                seen.append(held)
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                server.start()
            await until(lambda: cache.synced_once and engine.state == SyncState.ONLINE)
            await engine.stop()
        cache.close()
        assert len(seen) == KILLS and seen == sorted(seen)
        assert assert_consistent(path, seqs) == (CUSTOMERS, True)

        clean_path = tmp_path / "clean.sqlite3"
        clean = Cache(clean_path)
        async with make_http_client() as http:
            fresh = SyncEngine(ApiClient(ws.base_url, http, ws.tokens["owner"]), clean)
            await fresh.sync_now()
            await fresh.stop()
        clean.close()
        assert cache_contents(path) == cache_contents(clean_path)
    finally:
        server.close()
