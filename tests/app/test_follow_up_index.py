"""The inbox index: filters, search narrowing, counts and live updates, without Qt."""

from __future__ import annotations

import pytest

from app import follow_up_index
from app.cache.follow_ups import epoch, index_row
from app.follow_up_filter import NOBODY, InboxFilter
from app.follow_up_index import InboxIndex
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


def test_open_and_done_with_nothing_else_chosen_is_one_list_made_once():
    index, _ = build()
    index.prepare()
    every = index.filter(InboxFilter(state=None))
    assert every == list(range(len(index)))
    index.filter(InboxFilter())  # another filter, then "open and done" again: the same list
    assert index.filter(InboxFilter(state=None)) is every
    searched = index.filter(InboxFilter(state=None, text="okafor"))
    assert ids(index, searched) == [13]
    index.update([item(41)])  # a change forgets it; the next one counts the new item
    assert index.filter(InboxFilter(state=None)) == list(range(41))


def brute(index: InboxIndex, f: InboxFilter) -> list[int]:
    """What a filter lets through, worked out the slow and obvious way."""
    text = f.text.strip().casefold()
    # Read through (not counted as the index reading them), item by item.
    items = zip(index.states, index.kinds, index.assignee_ids, index.search, strict=True)
    return [
        pos
        for pos, (state, kind, assignee, searched) in enumerate(items)
        if (f.state is None or state == f.state)
        and (not f.kinds or kind in f.kinds)
        and (f.assignee is None or assignee == f.assignee)
        and text in searched
    ]


class CountingTexts(list):  # type: ignore[type-arg]
    """A column of the index, counting how many of its values a filter or search reads."""

    tested = 0

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        CountingTexts.tested += 1
        return super().__getitem__(i)


def counting(index: InboxIndex, column: str = "search") -> None:
    setattr(index, column, CountingTexts(getattr(index, column)))
    CountingTexts.tested = 0


class SubstringTests:
    """How many texts a search tested for the text typed."""

    made = 0


def counting_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    def counted(text: str, part: str) -> bool:
        SubstringTests.made += 1
        return part in text

    monkeypatch.setattr(follow_up_index, "contains", counted)
    SubstringTests.made = 0


def prepared(n: int = 40) -> InboxIndex:
    index, _ = build(n)
    index.prepare()
    return index


def test_one_letter_searches_read_the_masks_and_find_what_a_scan_finds():
    index = prepared()
    counting(index)
    for state in ("open", "done", None):
        for kinds in (frozenset(), frozenset({"invoice_paid"}), frozenset(KINDS[:3])):
            for letter in ("o", "1", "3", "x", "K", " ", "z"):
                f = InboxFilter(kinds=kinds, state=state, text=letter)
                assert index.filter(f) == brute(index, f), f
    # Every one of these was a letter or digit with a mask, or a space within the
    # base: no text was tested.
    assert CountingTexts.tested == 0
    assert index.filter(InboxFilter(text="1")) != []
    assert index.filter(InboxFilter(text="z")) == []


def test_a_longer_search_tests_only_the_matches_of_the_text_it_holds(monkeypatch):
    index = prepared()
    index.filter(InboxFilter(text="custom"))
    before = index.filter(InboxFilter(text="customer 1"))
    counting_tests(monkeypatch)
    found = index.filter(InboxFilter(text="customer 13"))
    assert SubstringTests.made == len(before) < len(index)
    assert found == brute(index, InboxFilter(text="customer 13"))
    # A text holding a remembered one anywhere, not only at its start, starts from its matches.
    index.filter(InboxFilter(text="kaf"))
    SubstringTests.made = 0
    assert ids(index, index.filter(InboxFilter(text="okafor"))) == [13]
    assert SubstringTests.made == 1


def test_a_letter_typed_on_reads_the_last_matches_texts_from_their_own_list(monkeypatch):
    index = prepared()
    counting(index)
    counting_tests(monkeypatch)
    typed = ""
    matches: list[int] = []
    for letter in "customer 1":
        typed += letter
        before = SubstringTests.made
        f = InboxFilter(text=typed)
        found = index.filter(f)
        assert found == brute(index, f), typed
        # The first letter reads its mask, a space at the end is not searched for (the text
        # is stripped), and each other letter tests the last matches' texts.
        first_or_space = len(typed) == 1 or letter == " "
        assert SubstringTests.made - before == (0 if first_or_space else len(matches)), typed
        matches = found
    # No text was read through the column: the first letter took its state's texts along.
    assert CountingTexts.tested == 0
    # Another state's items: the texts are gathered once, then typing on reads them again.
    for typed in ("c", "cu", "cus"):
        f = InboxFilter(state=None, text=typed)
        assert index.filter(f) == brute(index, f), typed
    assert CountingTexts.tested == 0  # every item's texts: the column itself, in order
    done = [InboxFilter(state="done", text=t) for t in ("3", "3 ", "3 h")]
    index.update([item(33, state="done", customer_name="Unit 3 house")])
    for f in done:
        assert index.filter(f) == brute(index, f), f.text
    assert ids(index, index.filter(done[-1])) == [33]


def test_deleting_letters_tests_no_text_and_finds_the_shorter_searchs_items():
    index = prepared()
    for size in range(1, len("customer 2") + 1):
        index.filter(InboxFilter(text="customer 2"[:size]))
    counting(index)
    for size in range(len("customer 2") - 1, 0, -1):
        f = InboxFilter(text="customer 2"[:size])
        assert index.filter(f) == brute(index, f)
    assert CountingTexts.tested == 0


def test_a_filter_change_searches_its_own_items_again():
    index = prepared()
    narrowed = index.filter(InboxFilter(text="customer 1"))
    f = InboxFilter(kinds=frozenset({"invoice_paid"}), state=None, text="customer 1")
    assert index.filter(f) == brute(index, f) != narrowed
    # Back on the first filter: the other filter's matches were not kept as its own.
    assert index.filter(InboxFilter(text="customer 1")) == narrowed
    done = InboxFilter(state="done", text="customer 1")
    assert index.filter(done) == brute(index, done) and done.state == "done"
    assert ids(index, index.filter(done)) == [15, 10]


def test_search_ignores_case_and_keeps_accents_apart():
    index, _ = build(6)
    index.update([item(7, customer_name="Zoë Ünal"), item(8, customer_name="Zoe Unal")])
    index.prepare()
    for text in ("ZOË", "zoë", "Ü", "ü"):
        assert ids(index, index.filter(InboxFilter(text=text))) == [7], text
    assert ids(index, index.filter(InboxFilter(text="zoe u"))) == [8]
    assert ids(index, index.filter(InboxFilter(text="UNAL"))) == [8]
    assert ids(index, index.filter(InboxFilter(text="ünal"))) == [7]
    # A capital that folds to two letters ("ß" to "ss") finds the folded text.
    index.update([item(9, customer_name="Strauss")])
    assert ids(index, index.filter(InboxFilter(text="STRAUß"))) == [9]


def test_masks_follow_items_inserted_patched_and_removed():
    index = prepared(10)
    assert index.filter(InboxFilter(text="z")) == []
    index.update([item(50, customer_name="Zed")])  # newest: inserted first
    assert ids(index, index.filter(InboxFilter(text="z"))) == [50]
    index.update([item(3, customer_name="Zara")])  # same time: patched in place
    assert ids(index, index.filter(InboxFilter(text="z"))) == [50, 3]
    index.update([item(3, customer_name="Customer 3")], gone=[50])
    assert index.filter(InboxFilter(text="z")) == []
    for letter in "0123456789abcdefghijklmnopqrstuvwxyz":
        f = InboxFilter(state=None, text=letter)
        assert index.filter(f) == brute(index, f), letter


def test_an_index_read_in_part_searches_without_masks():
    index, _ = build(12)  # not prepared: as the first screenful is
    for text in ("1", "c", "customer 1", "xyz"):
        f = InboxFilter(text=text)
        assert index.filter(f) == brute(index, f)


def test_kind_chips_read_each_states_kinds_and_follow_updates():
    index = prepared()
    counting(index, "kinds")  # the lists of each state's kinds were made when loading
    for state in ("open", "done"):
        for kinds in ({"invoice_paid"}, {"invoice_paid", "mail_failed"}, set(KINDS)):
            f = InboxFilter(kinds=frozenset(kinds), state=state)
            assert index.filter(f) == brute(index, f)
    assert CountingTexts.tested == 0
    moved = item(2, "invoice_paid", state="done")  # was an open service request
    index.update([moved])
    f = InboxFilter(kinds=frozenset({"invoice_paid"}), state="done")
    assert 2 in ids(index, index.filter(f))
    assert index.filter(f) == brute(index, f)
