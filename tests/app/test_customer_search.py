"""The customer search index answers exactly what a word-prefix filter would, only faster."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from app.customer_search import CustomerIndex, query_words, row_words, words_of
from app.portal_status import effective_status
from server.wire.search import search_plan
from tests.support.customer_rows import make_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def reference(index: CustomerIndex, query: str, statuses=None) -> list[int]:
    """The slow, obvious definition of a match, in name order: words are starts of words,
    except that a query of only 1-2 letter words must start the name (the server's rule)."""
    plan = search_plan(query)
    words = query_words(query) if plan.name_start is None else words_of(" ".join(plan.terms))
    out = []
    for pos, row in enumerate(index.rows):
        if plan.name_start is not None and not row.name.lower().startswith(plan.name_start):
            continue
        own = row_words(row)
        if not all(any(w.startswith(q) for w in own) for q in words):
            continue
        if statuses is not None and effective_status(row, index.now) not in statuses:
            continue
        out.append(pos)
    return out


@pytest.fixture(scope="module")
def index() -> CustomerIndex:
    # 3,000 rows puts the one-letter prefixes over the "many rows" limit, so both the bitset
    # path and the small-set path are exercised.
    return CustomerIndex(make_rows(3000, now=NOW), now=NOW)


QUERIES = [
    "",
    "s",
    "sm",
    "smith",
    "SMITH",
    "john smith",
    "j s",
    "j",
    "jo",
    "ov",
    "sm j",
    "zz",
    "smith j",
    "oak st",
    "springfield",
    "gmail",
    "555",
    "(555)",
    "555-01",
    "zoë",
    "josé",
    "nobody-matches-this",
    "o'neil",
    "com",
    "  mary   ",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_equals_the_reference(index: CustomerIndex, query: str) -> None:
    assert list(index.search(query)) == reference(index, query)


@pytest.mark.parametrize("query", ["", "s", "john", "oak st", "555"])
@pytest.mark.parametrize(
    "statuses", [{"active"}, {"invited", "invite_expired"}, {"locked", "disabled"}, set()]
)
def test_status_filter_combines_with_search(index: CustomerIndex, query: str, statuses) -> None:
    assert list(index.search(query, statuses)) == reference(index, query, statuses)


def test_one_letter_queries_take_the_bitset_path(index: CustomerIndex) -> None:
    assert "s" in index._heavy
    assert isinstance(index._word_rows("s"), int)
    assert isinstance(index._word_rows("smith"), set)


def test_phone_digits_match_however_they_are_typed() -> None:
    rows = make_rows(50, now=NOW)
    target = dataclasses.replace(rows[0], phone="(415) 555-0134")
    idx = CustomerIndex([target, *rows[1:]], now=NOW)
    pos = idx.position[target.id]
    for typed in ("4155550134", "415 555 0134", "(415) 555-01", "555-0134", "0134", "+1 415"):
        assert pos in idx.search(typed), typed


@pytest.mark.parametrize("sort", ["name", "contact", "email", "status", "last_sign_in"])
@pytest.mark.parametrize("query", ["", "s", "john", "zz"])
def test_sorting_orders_the_same_matches(index: CustomerIndex, sort: str, query: str) -> None:
    asc = index.search(query, sort=sort)
    desc = index.search(query, sort=sort, descending=True)
    assert sorted(asc) == reference(index, query)
    assert list(desc) == list(asc)[::-1]
    if sort == "email" and len(asc) > 1:
        emails = [(index.rows[p].primary_email or "").casefold() or "\uffff" for p in asc]
        assert emails == sorted(emails)


def test_updated_rows_are_found_by_their_new_words_only() -> None:
    rows = make_rows(2000, now=NOW)
    idx = CustomerIndex(rows, now=NOW)
    old = rows[5]
    new = dataclasses.replace(
        old, name="Quentin Zzyzx", primary_contact_name="Q Z", primary_email="qz@zzyzx.test"
    )
    [pos] = idx.update([new])
    assert list(idx.search("zzyzx")) == [pos]
    assert pos not in idx.search(old.name)
    # An update of an unknown id is ignored (new customers need a rebuild).
    assert idx.update([dataclasses.replace(old, id=10**9)]) == []


def test_status_changes_with_time_and_updates() -> None:
    rows = make_rows(200, now=NOW)
    invited = next(r for r in rows if r.portal_status == "invited")
    idx = CustomerIndex(rows, now=NOW)
    pos = idx.position[invited.id]
    assert pos in idx.search("", {"invited"})
    changed = idx.refresh_statuses(NOW + timedelta(days=30))
    assert pos in changed
    assert pos in idx.search("", {"invite_expired"})
    assert pos not in idx.search("", {"invited"})


def test_rows_with_iso_text_times_like_the_cache() -> None:
    """The cache keeps times as ISO text; status and sort read them the same."""
    rows = make_rows(100, now=NOW)
    texty = [
        dataclasses.replace(
            r,
            invite_expires_at=r.invite_expires_at.isoformat() if r.invite_expires_at else None,
            locked_until=r.locked_until.isoformat() if r.locked_until else None,
            last_sign_in_at=r.last_sign_in_at.isoformat() if r.last_sign_in_at else None,
        )
        for r in rows
    ]
    a, b = CustomerIndex(rows, now=NOW), CustomerIndex(texty, now=NOW)
    assert a.statuses == b.statuses
    assert list(a.search("", sort="last_sign_in")) == list(b.search("", sort="last_sign_in"))


def test_empty_index() -> None:
    idx = CustomerIndex([], now=NOW)
    assert list(idx.search("")) == []
    assert list(idx.search("a", {"active"}, sort="email")) == []


def _named(*names: str) -> CustomerIndex:
    rows = make_rows(len(names), now=NOW)
    return CustomerIndex(
        [dataclasses.replace(r, name=n) for r, n in zip(rows, names, strict=True)], now=NOW
    )


def test_short_words_start_the_name_as_on_the_server() -> None:
    idx = _named("Ada Lovelace", "Jones Plumbing", "Major Homes", "jolly Roofing", "Ovid Inc")
    names = lambda q: sorted(idx.rows[p].name for p in idx.search(q))  # noqa: E731
    # "ov" is a word start of "Ovid" and inside "Lovelace": only the name's start counts.
    assert names("ov") == ["Ovid Inc"]
    assert names("JO") == ["Jones Plumbing", "jolly Roofing"]  # any case, as typed
    assert names("ma") == ["Major Homes"]
    assert names("lo") == []  # a later word of the name is not its start
    # Three letters and more: starts of any word, as before.
    assert names("love") == ["Ada Lovelace"]
    assert names("homes") == ["Major Homes"]
    # The other short words narrow the name's start down.
    assert names("jo pl") == ["Jones Plumbing"]


def test_short_words_follow_renamed_rows() -> None:
    rows = [dataclasses.replace(r, name=n) for r, n in zip(make_rows(3, now=NOW), "ABC")]
    idx = CustomerIndex(rows, now=NOW)
    moved = dataclasses.replace(rows[0], name="Zed Co")
    [pos] = idx.update([moved])
    assert list(idx.search("ze")) == [pos]
    assert pos not in idx.search("a")  # its old name's start no longer finds it
    assert len(idx.search("b")) == 1
