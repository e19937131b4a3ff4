"""Follow-up items in the cache: written with their page, idempotent on replay and resync."""

from __future__ import annotations

import pytest

from app.cache import Cache
from app.follow_up_index import InboxIndex
from tests.app.follow_up_items import change, item, page


@pytest.fixture
def cache(tmp_path):
    c = Cache(tmp_path / "c.sqlite3")
    yield c
    c.close()


def test_items_are_indexed_newest_first_and_listeners_hear(cache):
    heard = []
    cache.on_records_changed(lambda entity, ids: heard.append((entity, ids)))
    cache.apply(page([change(item(i), i) for i in (1, 2, 3)], 3))
    index = InboxIndex.load(cache.path)
    assert index.ids == [3, 2, 1]
    assert index.titles[0] == "Item 3 of kind quote_approved"
    assert "customer 3" in index.search[0] and "contact 3" in index.search[0]
    assert heard == [("follow_up", {1, 2, 3})]
    assert cache.get_record("follow_up", 2)["title"] == "Item 2 of kind quote_approved"


def test_replayed_page_and_update_leave_one_row_each(cache):
    first = page([change(item(1), 1), change(item(2), 2)], 2)
    cache.apply(first)
    cache.apply(page([change(item(1, state="done"), 3)], 3))
    # The same old page again (a replay) rewrites the same rows: no duplicates.
    cache.write(first)
    index = InboxIndex.load(cache.path)
    assert sorted(index.ids) == [1, 2]
    assert len(index) == 2


def test_delete_removes_the_row(cache):
    cache.apply(page([change(item(1), 1), change(item(2), 2)], 2))
    cache.apply(page([change(item(2), 3, op="delete")], 3))
    assert InboxIndex.load(cache.path).ids == [1]
    assert cache.get_record("follow_up", 2) is None


def test_resync_removes_items_the_snapshot_lacks_and_keeps_the_rest(cache):
    cache.apply(page([change(item(i), i) for i in (1, 2, 3)], 3))
    cache.begin_resync()
    # Rows stay readable during the resync.
    assert len(InboxIndex.load(cache.path)) == 3
    cache.apply(page([change(item(1), 1)], 10, has_more=True))
    cache.apply(page([change(item(3), 3)], 11))
    assert InboxIndex.load(cache.path).ids == [3, 1]


def test_a_bad_item_fails_the_whole_page(cache):
    cache.apply(page([change(item(1), 1)], 1))
    broken = {"seq": 2, "entity": "follow_up", "id": 9, "op": "upsert", "data": {"id": 9}}
    with pytest.raises(KeyError):
        cache.apply(page([change(item(2), 2), broken], 2))
    # Nothing of the failed page was written, and the cursor did not move.
    assert InboxIndex.load(cache.path).ids == [1]
    assert cache.cursor == "1"


def test_clear_forgets_items_but_not_what_was_notified(cache):
    from app.follow_up_notify import NotifyLog

    cache.apply(page([change(item(1), 1)], 1))
    log = NotifyLog(cache.path)
    log.remember([1])
    cache.clear()
    assert len(InboxIndex.load(cache.path)) == 0
    assert log.seen([1, 2]) == {1}
    log.close()
