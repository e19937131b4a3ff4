"""The customer search index answers exactly what a word-prefix filter would, only faster."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from app.customer_search import CustomerIndex, query_words, row_words
from app.portal_status import effective_status
from tests.support.customer_rows import make_rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def reference(index: CustomerIndex, query: str, statuses=None) -> list[int]:
    """The slow, obvious definition of a match, in name order."""
    words = query_words(query)
    out = []
    for pos, row in enumerate(index.rows):
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
