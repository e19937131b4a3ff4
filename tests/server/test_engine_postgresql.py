"""PostgreSQL engine: idle connections the server closed are replaced unseen, and only
statements marked ``prepared`` become prepared statements."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, Engine, Integer, bindparam, literal_column, select, text
from sqlalchemy.exc import OperationalError

from server.db import engine as engine_module
from server.db.engine import make_engine
from tests.support.databases import temporary_database
from tests.support.pg_cluster import admin_url


@pytest.fixture
def pg_engine(tmp_path: Path) -> Iterator[Engine]:
    with temporary_database("postgresql", tmp_path) as url:
        engine = make_engine(url, pool_size=1)
        try:
            yield engine
        finally:
            engine.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        pid = conn.scalar(text("SELECT pg_backend_pid()"))
    assert isinstance(pid, int)
    return pid


def _terminate(pid: int) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as admin:
        row = admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
        assert row == (True,)


def test_an_idle_connection_killed_by_the_server_is_replaced(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
    first = _backend_pid(pg_engine)
    _terminate(first)
    second = _backend_pid(pg_engine)  # the ping found the dead one; no error reaches us
    assert second != first


def test_a_connection_returned_just_now_is_not_pinged(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)
    pings: list[object] = []
    real_ping = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    first = _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) == first
    assert pings == []
    # Unpinged, a connection killed meanwhile fails once; the pool then starts afresh.
    _terminate(first)
    with pytest.raises(OperationalError):
        _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) != first


def _prepared_here(conn: Connection) -> list[str]:
    return list(conn.scalars(text("SELECT statement FROM pg_prepared_statements")))


def test_only_statements_marked_prepared_are_prepared(pg_engine: Engine) -> None:
    plain = select(literal_column("1") + bindparam("n", type_=Integer))
    marked = plain.execution_options(prepared=True)
    with pg_engine.connect() as conn:
        for n in range(20):  # psycopg's own habit would prepare after five runs
            assert conn.scalar(plain, {"n": n}) == n + 1
        assert _prepared_here(conn) == []
        for n in range(3):
            assert conn.scalar(marked, {"n": n}) == n + 1
        prepared = _prepared_here(conn)
    assert len(prepared) == 1 and "1 +" in prepared[0]


def test_prepared_statements_run_their_generic_plan(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        assert conn.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
        marked = select(literal_column("1") + bindparam("n", type_=Integer))
        for n in range(2):
            conn.scalar(marked.execution_options(prepared=True), {"n": n})
        plans = conn.execute(
            text("SELECT generic_plans, custom_plans FROM pg_prepared_statements")
        ).one()
    assert plans == (2, 0)
