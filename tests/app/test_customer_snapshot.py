"""Rows held by column read back exactly; a saved search index loads into the same answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import customer_snapshot, index_builder
from app.cache import COLUMNS, Cache, CachedCustomer
from app.customer_search import CustomerIndex
from app.customer_table import as_text, gentle_sorted
from tests.support.customer_rows import make_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
QUERIES = ["", "s", "smith", "john smith", "oak st", "555", "(415) 555", "zoë", "o'neil", "zz"]


def cached(row: object) -> CachedCustomer:
    """A test row as the cache would hold it (times as ISO text, empty text as None)."""
    values = []
    for name in COLUMNS:
        value = getattr(row, name)
        values.append(as_text(value) if isinstance(value, datetime) else value)
    return CachedCustomer._make(values)


@pytest.fixture(scope="module")
def rows() -> list[object]:
    return list(make_rows(3000, now=NOW))


def test_rows_read_back_in_name_order_with_their_missing_values(rows) -> None:
    index = CustomerIndex(rows, now=NOW)
    expected = sorted((cached(r) for r in rows), key=lambda r: (r.name.casefold(), r.id))
    assert list(index.rows) == expected
    assert [index.rows[p] for p in range(len(rows))] == expected
    assert index.rows[-1] == expected[-1] and index.rows[2:5] == expected[2:5]
    assert index.rows.column("primary_email") == [r.primary_email for r in expected]
    assert any(r.primary_email is None for r in expected)  # the fixture has missing emails
    assert all(index.position[r.id] == p for p, r in enumerate(expected))
    assert 10**9 not in index.position and index.position.get(10**9) is None


def test_replaced_rows_win_over_the_columns(rows) -> None:
    index = CustomerIndex(rows, now=NOW)
    old = index.rows[7]
    new = old._replace(name="Quentin Zzyzx", primary_email=None)
    [pos] = index.update([new])
    assert pos == 7 and index.rows[7] == new and index.rows.value(7, "name") == "Quentin Zzyzx"
    assert index.rows.column("primary_email")[7] is None
    assert list(index.rows)[7] == new
    with pytest.raises(ValueError, match="replaced rows"):
        customer_snapshot.save(Path("never-written.index"), index, "1")


def test_gentle_sorted_matches_sorted() -> None:
    values = [(i * 7919) % 12007 for i in range(30_000)]
    assert gentle_sorted(values) == sorted(values)
    assert gentle_sorted(values, key=lambda v: -v) == sorted(values, key=lambda v: -v)


def test_a_saved_index_answers_like_the_built_one(rows, tmp_path) -> None:
    built = CustomerIndex(rows, now=NOW)
    path = tmp_path / "customers.index"
    customer_snapshot.save(path, built, "42")
    loaded = customer_snapshot.load(path)
    assert loaded is not None
    stamp, index = loaded
    assert stamp == "42" and len(index) == len(built) and index.now == NOW
    assert list(index.rows) == list(built.rows)
    assert index.statuses == built.statuses
    for query in QUERIES:
        for statuses in (None, {"active"}, {"invited", "locked"}):
            assert list(index.search(query, statuses)) == list(built.search(query, statuses))
        assert list(index.search(query, sort="email")) == list(built.search(query, sort="email"))
    assert index._heavy == built._heavy and "s" in index._heavy


def test_status_changes_due_after_saving_happen_after_loading(rows, tmp_path) -> None:
    invited = next(r for r in rows if r.portal_status == "invited")
    built = CustomerIndex(rows, now=NOW)
    path = tmp_path / "customers.index"
    customer_snapshot.save(path, built, "1")
    loaded = customer_snapshot.load(path)
    assert loaded is not None
    index = loaded[1]
    pos = index.position[invited.id]
    assert pos in index.search("", {"invited"})
    changed = index.refresh_statuses(NOW + timedelta(days=30))
    assert pos in changed and pos in index.search("", {"invite_expired"})
    assert index.refresh_statuses(NOW + timedelta(days=31)) == []


def test_a_damaged_or_foreign_file_is_ignored(rows, tmp_path) -> None:
    path = tmp_path / "customers.index"
    assert customer_snapshot.load(path) is None  # none saved yet
    customer_snapshot.save(path, CustomerIndex(rows[:50], now=NOW), "1")
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    assert customer_snapshot.load(path) is None  # cut short
    magic, header, rest = data.split(b"\n", 2)
    other = json.loads(header) | {"format": 999}
    path.write_bytes(magic + b"\n" + json.dumps(other).encode() + b"\n" + rest)
    assert customer_snapshot.load(path) is None  # another format
    path.write_bytes(b"something else\n")
    assert customer_snapshot.load(path) is None


def _page(cursor: int, rows: list[CachedCustomer]) -> dict[str, object]:
    return {
        "data": [
            {"entity": "customer", "id": r.id, "op": "upsert", "data": r._asdict()} for r in rows
        ],
        "next_cursor": cursor,
        "has_more": False,
    }


def test_cache_columns_carry_the_generation_of_their_rows(rows, tmp_path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    try:
        first = [cached(r) for r in rows[:300]]
        cache.apply(_page(1, first))
        stamp, columns = cache.customer_columns()
        assert stamp == cache.customers_generation != "0"
        assert columns["id"] == sorted(r.id for r in first)
        index = CustomerIndex.from_columns(columns, now=NOW)
        assert list(index.rows) == list(CustomerIndex(first, now=NOW).rows)
        cache.apply({"data": [], "next_cursor": 2, "has_more": False})
        assert cache.customers_generation == stamp  # no customer written
        cache.put_customers([cached(rows[0])._replace(name="Renamed")._asdict()])
        assert cache.customers_generation != stamp
        assert [r.name for r in cache.get_customers([rows[0].id, 10**9])] == ["Renamed"]
        cache.index_path.write_bytes(b"x")
        cache.clear()
        assert not cache.index_path.exists()
    finally:
        cache.close()


@pytest.mark.asyncio
async def test_the_child_process_builds_what_the_panel_would(rows, tmp_path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    try:
        first = [cached(r) for r in rows[:400]]
        cache.apply(_page(1, first))
        await index_builder.build_in_child(cache.path, cache.index_path)
        loaded = customer_snapshot.load(cache.index_path)
        assert loaded is not None
        stamp, index = loaded
        assert stamp == cache.customers_generation
        here = CustomerIndex(first, now=index.now)
        assert list(index.rows) == list(here.rows) and index.statuses == here.statuses
        assert list(index.search("smith")) == list(here.search("smith"))
    finally:
        cache.close()
    with pytest.raises(index_builder.IndexBuildFailed):
        await index_builder.build_in_child(tmp_path / "missing" / "c.sqlite3", tmp_path / "x")
