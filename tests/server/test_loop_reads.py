"""The event loop's own PostgreSQL reads: prepared, outside any transaction, and a read the
database cannot answer says so (None) instead of failing the page."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Integer, bindparam, func, literal_column, make_url, select, text

from server.app import loop_reads_for
from server.db.compiled import CompiledSelect
from server.db.loop_reads import LoopReads
from tests.support.databases import temporary_database
from tests.support.pg_cluster import admin_url

_PLUS_ONE = CompiledSelect(
    select(literal_column("1") + bindparam("n", type_=Integer)).execution_options(prepared=True)
)
_PID = CompiledSelect(select(func.pg_backend_pid()).execution_options(prepared=True))
_PREPARED = CompiledSelect(
    select(text("statement FROM pg_prepared_statements")).execution_options(prepared=True)
)
_AGE = CompiledSelect(
    select(text("clock_timestamp() - now() < interval '0.1 seconds'")).execution_options(
        prepared=True
    )
)
_SLEEP = CompiledSelect(
    select(func.pg_sleep(bindparam("s", type_=Integer))).execution_options(prepared=True)
)
_PLAN_MODE = CompiledSelect(
    select(text("current_setting('plan_cache_mode')")).execution_options(prepared=True)
)


def test_sqlite_has_no_reads_on_the_loop(tmp_path: Path) -> None:
    assert loop_reads_for(f"sqlite:///{tmp_path / 'portal.db'}") is None
    with pytest.raises(ValueError, match="PostgreSQL only"):
        LoopReads(f"sqlite:///{tmp_path / 'portal.db'}")


@pytest.fixture
def pg_url(tmp_path: Path) -> Any:
    with temporary_database("postgresql", tmp_path) as url:
        yield url


def _terminate(pid: int) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)


def test_reads_are_prepared_and_hold_no_transaction(pg_url: str) -> None:
    async def run() -> tuple[list[Any], list[Any] | None, list[Any] | None]:
        reads = LoopReads(pg_url, kept=1)
        try:
            answers = [await reads.rows(_PLUS_ONE, {"n": n}) for n in range(3)]
            prepared = await reads.rows(_PREPARED, {})
            await asyncio.sleep(0.2)
            # In a transaction opened by an earlier read, now() would be that read's time.
            alone = await reads.rows(_AGE, {})
            return answers, prepared, alone
        finally:
            await reads.close()

    answers, prepared, alone = asyncio.run(run())
    assert answers == [[(1,)], [(2,)], [(3,)]]
    assert prepared is not None and any("1 +" in row[0] for row in prepared)
    assert alone == [(True,)]


def test_reads_run_generic_plans_and_only_statements_marked_prepared(pg_url: str) -> None:
    unmarked = CompiledSelect(select(literal_column("1")))

    async def run() -> list[Any] | None:
        reads = LoopReads(pg_url)
        try:
            with pytest.raises(ValueError, match="prepared"):
                await reads.rows(unmarked, {})
            return await reads.rows(_PLAN_MODE, {})
        finally:
            await reads.close()

    assert asyncio.run(run()) == [("force_generic_plan",)]


def test_a_connection_the_server_killed_answers_none_once_then_reads_go_on(pg_url: str) -> None:
    async def run() -> tuple[int, list[Any] | None, int, int]:
        reads = LoopReads(pg_url, kept=1)
        try:
            first = await reads.rows(_PID, {})
            assert first is not None and len(reads) == 1
            _terminate(first[0][0])
            failed = await reads.rows(_PID, {})
            idle_after_failure = len(reads)  # the broken connection is not kept
            again = await reads.rows(_PID, {})
            assert again is not None
            return first[0][0], failed, idle_after_failure, again[0][0]
        finally:
            await reads.close()

    first, failed, idle_after_failure, second = asyncio.run(run())
    assert failed is None
    assert idle_after_failure == 0
    assert second != first


def test_a_cancelled_read_closes_its_connection(pg_url: str) -> None:
    async def run() -> int:
        reads = LoopReads(pg_url, kept=2)
        try:
            assert await reads.rows(_PID, {}) is not None
            slow = asyncio.ensure_future(reads.rows(_SLEEP, {"s": 5}))
            await asyncio.sleep(0.3)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            return len(reads)  # the cancelled read's connection was not put back
        finally:
            await reads.close()

    assert asyncio.run(run()) == 0


def test_reads_after_close_answer_none_and_keep_nothing(pg_url: str) -> None:
    async def run() -> tuple[list[Any] | None, int]:
        reads = LoopReads(pg_url)
        assert await reads.rows(_PLUS_ONE, {"n": 1}) == [(2,)]
        await reads.close()
        return await reads.rows(_PLUS_ONE, {"n": 1}), len(reads)

    assert asyncio.run(run()) == (None, 0)


def test_a_database_that_cannot_be_reached_answers_none(pg_url: str) -> None:
    unreachable = make_url(pg_url).set(port=1).render_as_string(hide_password=False)

    async def run() -> list[Any] | None:
        reads = LoopReads(unreachable)
        try:
            return await reads.rows(_PLUS_ONE, {"n": 1})
        finally:
            await reads.close()

    assert asyncio.run(run()) is None


def test_reads_beyond_the_busy_bound_answer_none_without_a_connection(pg_url: str) -> None:
    async def run() -> tuple[list[Any] | None, list[Any] | None]:
        reads = LoopReads(pg_url, busy_at_most=1)
        try:
            slow = asyncio.ensure_future(reads.rows(_SLEEP, {"s": 1}))
            await asyncio.sleep(0.2)
            refused = await reads.rows(_PLUS_ONE, {"n": 1})  # the one connection is busy
            await slow
            return refused, await reads.rows(_PLUS_ONE, {"n": 1})
        finally:
            await reads.close()

    assert asyncio.run(run()) == (None, [(2,)])


def test_the_sqlite_server_does_not_import_the_loops_driver() -> None:
    """asyncpg takes a tenth of a second to import: the console's own (SQLite) server, which
    never reads on the loop, starts without it."""
    code = (
        "import sys, server.app, server.cli; "
        "print(sorted(m for m in ('asyncpg', 'server.db.loop_reads') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.strip() == "[]"
