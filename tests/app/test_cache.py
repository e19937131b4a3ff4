"""The local cache: rows and cursor written together, resync keeps rows readable."""

import sqlite3

import pytest

from app.cache import COLUMNS, Cache


def row(i: int, name: str | None = None) -> dict:
    data = {c: None for c in COLUMNS}
    data.update(
        id=i,
        name=name or f"Customer {i}",
        kind="household",
        portal_status="not_invited",
        version=1,
        updated_at="2026-01-01T00:00:00Z",
    )
    return data


def page(changes, cursor, has_more=False):
    return {
        "data": changes,
        "count": len(changes),
        "next_cursor": str(cursor),
        "has_more": has_more,
    }


def up(i, name=None, entity="customer"):
    return {"seq": i, "entity": entity, "id": i, "op": "upsert", "data": row(i, name)}


@pytest.fixture
def cache(tmp_path):
    c = Cache(tmp_path / "c.sqlite3")
    yield c
    c.close()


def test_apply_writes_rows_and_cursor_and_tells_listeners(cache):
    heard = []
    cache.on_customers_changed(heard.append)
    assert cache.cursor == "0" and not cache.synced_once
    cache.apply(page([up(1), up(2), up(3)], 3))
    assert [r.id for r in cache.customer_rows()] == [1, 2, 3]
    assert cache.cursor == "3" and cache.synced_once and heard == [{1, 2, 3}]
    cache.apply(
        page([up(2, "Renamed"), {"seq": 5, "entity": "customer", "id": 3, "op": "delete"}], 5)
    )
    assert cache.get_customer(2).name == "Renamed" and cache.get_customer(3) is None
    assert cache.customer_count() == 2 and heard[-1] == {2, 3}


def test_other_entities_are_kept_as_records(cache):
    seen = []
    cache.on_records_changed(lambda e, ids: seen.append((e, ids)))
    cache.apply(
        page(
            [
                {
                    "seq": 1,
                    "entity": "workspace",
                    "id": 7,
                    "op": "upsert",
                    "data": {"portal_status": "active"},
                }
            ],
            1,
        )
    )
    assert cache.get_record("workspace", 7) == {"portal_status": "active"}
    assert seen == [("workspace", {7})] and cache.customer_count() == 0


def test_a_failed_page_leaves_rows_and_cursor_as_they_were(cache):
    cache.apply(page([up(1)], 1))
    broken = page(
        [
            up(2),
            {
                "seq": 3,
                "entity": "customer",
                "id": 3,
                "op": "upsert",
                "data": {**row(3), "id": "not a number"},
            },
        ],
        3,
    )
    with pytest.raises(sqlite3.Error):
        cache.apply(broken)
    assert cache.cursor == "1" and [r.id for r in cache.customer_rows()] == [1]


def test_the_cache_survives_reopening(tmp_path):
    first = Cache(tmp_path / "c.sqlite3")
    first.apply(page([up(1), up(2)], 2))
    first.close()
    again = Cache(tmp_path / "c.sqlite3")
    assert again.cursor == "2" and again.customer_count() == 2
    again.close()


def test_resync_keeps_old_rows_until_the_snapshot_is_complete(cache):
    cache.apply(page([up(1), up(2), up(3)], 3))
    cache.begin_resync()
    assert cache.resyncing and cache.cursor == "0"
    cache.apply(page([up(1, "One again")], 10, has_more=True))
    assert cache.customer_count() == 3  # still readable mid-resync
    summary = cache.apply(page([up(3)], 11, has_more=False))
    assert not cache.resyncing and cache.cursor == "11"
    assert [r.id for r in cache.customer_rows()] == [1, 3]  # 2 was gone on the server
    assert summary.removed_by_resync == 1 and 2 in summary.customer_ids


def test_clear_forgets_everything_and_tells_listeners(cache):
    heard = []
    cache.apply(page([up(1), up(2)], 2))
    cache.on_customers_changed(heard.append)
    cache.clear()
    assert cache.customer_count() == 0 and cache.cursor == "0" and heard == [{1, 2}]
