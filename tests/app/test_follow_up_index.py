"""The inbox index: filters, search narrowing, counts and live updates, without Qt."""

from __future__ import annotations

from app.cache.follow_ups import epoch, index_row
from app.follow_up_index import NOBODY, InboxFilter, InboxIndex
from tests.app.follow_up_items import item

KINDS = ("quote_approved", "invoice_paid", "service_request", "mail_failed")


def build(n: int = 40) -> tuple[InboxIndex, list[dict]]:
    items = [
        item(
            i,
            KINDS[i % 4],
            state="done" if i % 5 == 0 else "open",
            assignee_id=7 if i % 3 == 0 else None,
            assignee_name="Sam Carter" if i % 3 == 0 else None,
            customer_name="Okafor household" if i == 13 else f"Customer {i}",
        )
        for i in range(1, n + 1)
    ]
    rows = sorted((index_row(d) for d in items), key=lambda r: (-r[3], -r[0]))
    return InboxIndex(rows), items


def ids(index: InboxIndex, positions: list[int]) -> list[int]:
    return [index.ids[p] for p in positions]


def test_default_filter_is_open_items_newest_first():
    index, _ = build()
    shown = ids(index, index.filter(InboxFilter()))
    assert shown == [i for i in range(40, 0, -1) if i % 5]


def test_kind_state_assignee_and_nobody():
    index, _ = build()
    f = InboxFilter(kinds=frozenset({"invoice_paid"}), state=None)
    assert ids(index, index.filter(f)) == [i for i in range(40, 0, -1) if i % 4 == 1]
    mine = ids(index, index.filter(InboxFilter(assignee=7)))
    assert mine and all(i % 3 == 0 and i % 5 for i in mine)
    nobody = ids(index, index.filter(InboxFilter(assignee=NOBODY)))
    assert nobody and all(i % 3 for i in nobody)
    done = ids(index, index.filter(InboxFilter(state="done")))
    assert done == [40, 35, 30, 25, 20, 15, 10, 5]


def test_date_range_is_inclusive_and_either_end_may_be_open():
    index, items = build()
    t10, t20 = (epoch(items[i - 1]["happened_at"]) for i in (10, 20))
    both = ids(index, index.filter(InboxFilter(state=None, since=t10, until=t20)))
    assert both == list(range(20, 9, -1))
    assert ids(index, index.filter(InboxFilter(state=None, until=t10)))[0] == 10
    assert ids(index, index.filter(InboxFilter(state=None, since=t20)))[-1] == 20
    # A range that ends before it starts shows nothing (not an error).
    assert index.filter(InboxFilter(state=None, since=t20, until=t10)) == []


def test_search_narrows_as_you_type_and_widens_when_you_delete():
    index, _ = build()
    assert ids(index, index.filter(InboxFilter(text="o"))) != []
    assert ids(index, index.filter(InboxFilter(text="oka"))) == [13]
    assert ids(index, index.filter(InboxFilter(text="OKAFOR"))) == [13]
    assert ids(index, index.filter(InboxFilter(text="okafor x"))) == []
    # Deleting letters searches everything again, not the narrowed result.
    assert ids(index, index.filter(InboxFilter(text="customer 1"))) == [
        19,
        18,
        17,
        16,
        14,
        12,
        11,
        1,
    ]
    # A search by contact name finds the item too.
    assert ids(index, index.filter(InboxFilter(text="contact 22"))) == [22]


def test_counts_per_kind_mine_and_all():
    index, items = build()
    counts = index.counts(me_id=7)
    open_items = [d for d in items if d["state"] == "open"]
    assert counts["all"] == len(open_items)
    assert counts["invoice_paid"] == sum(d["kind"] == "invoice_paid" for d in open_items)
    assert counts["mine"] == sum(d["assignee_id"] == 7 for d in open_items)


def test_updates_patch_in_place_insert_by_time_and_remove():
    index, items = build(10)
    index.filter(InboxFilter(text="item"))
    done = dict(items[3], state="done", version=2)  # item 4
    newest = item(99, "sign_in_trouble")  # happened after every other
    oldest = item(0, "mail_failed")
    assert index.update([done, newest, oldest], gone=[7])
    assert index.ids[0] == 99 and index.ids[-1] == 0 and 7 not in index.ids
    assert index.states[index.position[4]] == "done"
    # The remembered search result was dropped: a longer search sees the new item.
    assert 99 in ids(index, index.filter(InboxFilter(text="item 9")))
    # Moving an item in time puts it at its new place.
    moved = dict(items[0], happened_at="2030-01-01T00:00:00Z")
    index.update([moved])
    assert index.ids[0] == 1 and len(index) == 11
    assert not index.update([], gone=[12345])


def test_a_loaded_index_has_its_first_filters_worked_out(tmp_path):
    # Loading (on a worker thread) prepares each state's items and the positions, so the first
    # keystroke or state change after opening does not scan every item on the UI thread.
    index = InboxIndex(
        [index_row(item(i, state="done" if i % 3 == 0 else "open")) for i in (3, 2, 1)]
    )
    index.prepare()
    assert index._by_state == {"open": [1, 2], "done": [0]}
    assert index._position == {3: 0, 2: 1, 1: 2}
    assert index.filter(InboxFilter(state="done")) == [0]
    index.update([item(4)])  # a change forgets what was worked out, and it is found again
    assert index._by_state == {} and index.filter(InboxFilter()) == [0, 2, 3]
