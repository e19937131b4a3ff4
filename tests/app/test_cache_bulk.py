"""Many rows per INSERT statement store what one statement per row would."""

import sqlite3

import pytest

from app.cache.bulk import MAX_VALUES, insert_rows


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:", isolation_level=None)
    c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b BLOB)")
    yield c
    c.close()


def rows_of(conn):
    return conn.execute("SELECT k, a, b FROM t ORDER BY k").fetchall()


@pytest.mark.parametrize("count", [0, 1, MAX_VALUES // 3 - 1, MAX_VALUES // 3, 1000, 2 * 333 + 5])
def test_every_row_lands_once_whatever_the_count(conn, count):
    rows = [(i, f"name {i}", b"{}" if i % 2 else None) for i in range(count)]
    insert_rows(conn, "INSERT OR REPLACE INTO t VALUES", rows, 3)
    assert rows_of(conn) == rows


def test_rows_are_applied_in_order_as_one_statement_per_row_would(conn):
    # The same key twice, in one statement and across statements: the later row wins.
    rows = [(i % 400, f"v{i}", None) for i in range(1200)]
    insert_rows(conn, "INSERT OR REPLACE INTO t VALUES", rows, 3)
    expected = sqlite3.connect(":memory:")
    expected.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b BLOB)")
    expected.executemany("INSERT OR REPLACE INTO t VALUES (?, ?, ?)", rows)
    assert rows_of(conn) == rows_of(expected) and rows_of(conn)[0] == (0, "v800", None)


def test_a_failing_row_stops_at_that_row_like_executemany(conn):
    conn.execute("CREATE TABLE u (k INTEGER PRIMARY KEY, a TEXT NOT NULL)")
    rows = [(i, None if i == 700 else "x") for i in range(900)]
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError):
        insert_rows(conn, "INSERT INTO u VALUES", rows, 2)
    conn.execute("ROLLBACK")  # the caller's transaction: nothing of the page stays
    assert conn.execute("SELECT count(*) FROM u").fetchone()[0] == 0
