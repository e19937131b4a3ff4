"""The pilot-group rule, without Qt: repeat customers by their jobs in the last 12 months."""

from datetime import UTC, datetime, timedelta

import pytest

from app.cache import Cache
from app.pilot_group import pilot_customers, pilot_group

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def job(i, customer, days_ago, field="completed_at"):
    return {"id": i, "customer_id": customer, field: (NOW - timedelta(days=days_ago)).isoformat()}


def test_repeat_customers_in_the_last_year():
    jobs = [
        job(1, 10, 5), job(2, 10, 40), job(3, 10, 300),       # three this year
        job(4, 11, 5), job(5, 11, 400), job(6, 11, 500),      # only one this year
        job(7, 12, 2, "scheduled_start"), job(8, 12, -1, "scheduled_start"),  # booked
        job(9, 13, -30, "scheduled_start"), job(10, 13, 1),   # far future does not count
        {"id": 11, "customer_id": 14},                        # no date at all
    ]  # fmt: skip
    assert pilot_customers(jobs, 2, NOW) == {10, 12}
    assert pilot_customers(jobs, 3, NOW) == {10}
    assert pilot_customers([], 2, NOW) == set()


@pytest.mark.asyncio
async def test_the_group_is_read_from_the_cache_off_the_event_loop(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    changes = [
        {"seq": i, "entity": "job", "id": i, "op": "upsert", "data": job(i, 7, i)}
        for i in range(1, 4)
    ]
    cache.write({"data": changes, "count": 3, "next_cursor": "3", "has_more": False})
    assert await pilot_group(cache, 3, NOW) == {7}
    cache.close()
