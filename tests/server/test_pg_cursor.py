"""PostgreSQL cursors describe a statement's result once, and afresh when its shape differs."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from server.db.pg_cursor import DescribedOnceCursor
from tests.support.pg_cluster import admin_url


@pytest.fixture
def conn() -> Iterator[psycopg.Connection]:
    with psycopg.connect(admin_url(), autocommit=True, cursor_factory=DescribedOnceCursor) as c:
        yield c


def _names(cur: psycopg.Cursor) -> list[tuple[str, int]]:
    assert cur.description is not None
    return [(col.name, col.type_code) for col in cur.description]


def test_the_same_statement_is_described_once(conn: psycopg.Connection) -> None:
    first, second = conn.cursor(), conn.cursor()
    first.execute("SELECT 1 AS a, 'x'::text AS b")
    second.execute("SELECT 1 AS a, 'x'::text AS b")
    assert first.description is second.description  # built once, shared
    assert _names(second) == [("a", 23), ("b", 25)]
    assert second.fetchall() == [(1, "x")]


def test_other_column_types_are_described_afresh(conn: psycopg.Connection) -> None:
    cur = conn.cursor()
    cur.execute("SELECT %s AS v", (1,))
    as_int = _names(cur)
    cur.execute("SELECT %s AS v", ("one",))
    assert _names(cur) != as_int and _names(cur)[0][0] == "v"


def test_other_statements_and_no_result(conn: psycopg.Connection) -> None:
    cur = conn.cursor()
    cur.execute("SELECT 1 AS a")
    cur.execute("SELECT 2 AS b, 3 AS c")
    assert [n for n, _ in _names(cur)] == ["b", "c"]
    cur.execute("CREATE TEMPORARY TABLE t (x int)")
    assert cur.description is None
    cur.executemany("INSERT INTO t VALUES (%s) RETURNING x AS y", [(1,), (2,)], returning=True)
    assert [n for n, _ in _names(cur)] == ["y"]
