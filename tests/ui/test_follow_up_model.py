"""The inbox model passes pytest-qt's model tester empty, full, filtered and patched."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester

from app.cache.follow_ups import index_row
from app.follow_up_filter import NOBODY, InboxFilter
from app.follow_up_index import InboxIndex
from tests.app.follow_up_items import item
from ui.panels.follow_up.model import ITEM_ID_ROLE, InboxModel

KINDS = ("quote_approved", "invoice_paid", "service_request", "sign_in_trouble")


def _index(n: int) -> InboxIndex:
    rows = [
        index_row(item(i, KINDS[i % 4], state="done" if i % 7 == 0 else "open"))
        for i in range(1, n + 1)
    ]
    return InboxIndex(sorted(rows, key=lambda r: (-r[3], -r[0])))


def test_the_inbox_model_empty_full_filtered_and_patched(qtbot):
    model = InboxModel()
    ModelTester(qtbot).check(model, force_py=True)  # empty: nothing cached yet
    model.set_index(_index(300))
    ModelTester(qtbot).check(model, force_py=True)
    assert model.rowCount() == 300 - 300 // 7 and model.columnCount() == 6
    assert model.item_id(0) == 300  # newest first
    assert model.index(0, 1).data() == "Quote approved"
    assert model.index(0, 4).data() == "Nobody" and model.index(0, 5).data() == "Open"
    assert model.index(0, 0).data(ITEM_ID_ROLE) == 300
    model.set_filter(InboxFilter(kinds=frozenset({"sign_in_trouble"}), text="item 1"))
    ModelTester(qtbot).check(model, force_py=True)
    assert 0 < model.rowCount() < 30
    model.set_filter(InboxFilter(state=None, assignee=NOBODY, text="no such item"))
    assert model.rowCount() == 0
    ModelTester(qtbot).check(model, force_py=True)
    model.set_filter(InboxFilter(state=None))
    model.index_.update([item(301, "mail_failed", assignee_id=4, assignee_name="Sam")])
    model.refilter()
    ModelTester(qtbot).check(model, force_py=True)
    assert model.row_of_item(301) == 0 and model.index(0, 4).data() == "Sam"
    assert model.row_of_item(12345) is None


def _plain(index: InboxIndex, f: InboxFilter) -> list[int]:
    """The ids a filter lets through, worked out item by item, newest first."""
    text = f.text.strip().casefold()
    return [
        index.ids[pos]
        for pos in range(len(index))
        if (f.state is None or index.states[pos] == f.state)
        and (not f.kinds or index.kinds[pos] in f.kinds)
        and text in index.search[pos]
    ]


def test_the_rows_after_each_keystroke_click_and_update_are_a_plain_filters(qtbot):
    model = InboxModel()
    index = _index(3000)  # above the pool under which a search tests texts at once
    index.prepare()
    model.set_index(index)
    shown = lambda: [model.item_id(r) for r in range(model.rowCount())]  # noqa: E731
    f = InboxFilter()
    steps: list[InboxFilter | str] = []
    for typed in ("item 12", "zz"):  # typed on, then a search matching nothing
        steps += [InboxFilter(text=typed[: n + 1]) for n in range(len(typed))]
        steps += [InboxFilter(text=typed[:n]) for n in range(len(typed) - 1, -1, -1)]
    steps += [
        InboxFilter(text="item 2"),
        "update",  # sync brings an item between two keystrokes
        InboxFilter(text="item 29"),
        InboxFilter(state=None),  # open and done
        InboxFilter(state=None, text="1"),
        InboxFilter(state="done"),
        InboxFilter(state=None),
        InboxFilter(state=None, kinds=frozenset({"invoice_paid"})),
        InboxFilter(state=None),
        InboxFilter(text="no such item"),
        InboxFilter(),
    ]
    for step in steps:
        if step == "update":
            model.index_.update([item(3001, "invoice_paid", title="Item 2999 paid")])
            model.refilter()
        else:
            assert isinstance(step, InboxFilter)
            f = step
            model.set_filter(f)
        assert shown() == _plain(model.index_, f), step
    assert 3001 in _plain(model.index_, InboxFilter(state=None))
    ModelTester(qtbot).check(model, force_py=True)
