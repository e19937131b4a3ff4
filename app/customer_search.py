"""Fast search over the cached customer rows: word-prefix matching through a prefix index.

A query is split into words; a customer matches when every word is the start of some word of
its name, primary contact, email, phone or address (phones also match on their digits alone,
so "555 0134", "5550134" and "0134" all find "(555) 555-0134").

Why it is fast by construction rather than by luck: every word of every row goes into one
sorted vocabulary, with the rows of each word stored contiguously in one flat array. The rows
whose words start with a prefix are then one contiguous slice of that array, found with two
binary searches. Prefixes shared by very many rows (one or two letters, "com", a common city)
are precomputed as bitsets, so the first keystroke of a query costs a few C-level passes over a
bitmask instead of a Python loop over every row. Rows changed after the index was built are
kept in a small overlay and checked directly until the next rebuild.
"""

from __future__ import annotations

import gc
import re
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter
from typing import Any, Protocol

from app.portal_status import STATUS_CODES, Moment, aware, effective_status

_WORD = re.compile(r"[^\W_]+")
_NON_DIGIT = re.compile(r"\D+")
_PHONE_QUERY = re.compile(r"[\d\s().+-]+")
_TO_01 = bytes.maketrans(b"\x00\x01", b"01")
_FROM_01 = bytes.maketrans(b"01", b"\x00\x01")
SORT_KEYS = ("name", "contact", "email", "status", "last_sign_in")


class SearchableRow(Protocol):
    """The fields of a cached customer row that search, filters and sorting read."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def primary_contact_name(self) -> str | None: ...
    @property
    def primary_email(self) -> str | None: ...
    @property
    def portal_status(self) -> str: ...
    @property
    def invite_expires_at(self) -> Moment: ...
    @property
    def locked_until(self) -> Moment: ...
    @property
    def last_sign_in_at(self) -> Moment: ...


def words_of(text: str) -> list[str]:
    """The casefolded words of a text, split on anything that is not a letter or digit."""
    return _WORD.findall(text.casefold())


def query_words(query: str) -> list[str]:
    """The words a query must match; a phone-like query becomes one run of digits."""
    query = query.strip()
    if query and _PHONE_QUERY.fullmatch(query) and sum(c.isdigit() for c in query) >= 5:
        return ["".join(c for c in query if c.isdigit())]
    return words_of(query)


def row_words(row: SearchableRow) -> set[str]:
    """Every word a row can be found by."""
    phone = row.phone
    text = (
        f"{row.name} {row.primary_contact_name or ''} {row.primary_email or ''} "
        f"{phone or ''} {row.address or ''}"
    )
    words = set(_WORD.findall(text.casefold()))
    if phone:
        digits = _NON_DIGIT.sub("", phone)
        if digits:
            words.update((digits, digits[-10:], digits[-7:], digits[-4:]))
    return words


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _bits_from_mask(mask: bytes | bytearray) -> int:
    """Pack a 0/1-per-row byte mask into an int bitset (bit i is row i)."""
    if not mask:
        return 0
    return int(mask.translate(_TO_01)[::-1], 2)


def _mask_from_bits(bits: int, n: int) -> bytes:
    """Unpack an int bitset into a 0/1-per-row byte mask of length ``n``."""
    return bin(bits)[2:].zfill(n)[::-1].encode().translate(_FROM_01)[:n] if n else b""


class CustomerIndex:
    """A search index over customer rows, kept in name order (the default sort).

    ``search`` answers the positions (indices into ``rows``) of the matching rows in display
    order. The lists it answers may be shared with the index: treat them as read-only.
    """

    def __init__(self, rows: Iterable[SearchableRow], now: datetime | None = None) -> None:
        self.rows: list[SearchableRow] = sorted(rows, key=lambda r: (r.name.casefold(), r.id))
        self.now = now or datetime.now(UTC)
        n = len(self.rows)
        self.position: dict[int, int] = {r.id: i for i, r in enumerate(self.rows)}
        self._all = list(range(n))
        self._heavy_limit = max(256, n // 8)
        self.statuses = bytearray(STATUS_CODES[effective_status(r, self.now)] for r in self.rows)
        self._dirty: set[int] = set()
        self._dirty_words: dict[int, set[str]] = {}
        self._ranks: dict[str, tuple[list[int], list[int]]] = {}
        self._build()
        # The rows and the index live as long as the panel: move them out of the collector's
        # reach, or every allocation-heavy keystroke at 1,000,000 rows pays a full rescan.
        gc.collect()
        gc.freeze()

    def __len__(self) -> int:
        return len(self.rows)

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        postings: dict[str, list[int]] = {}
        get = postings.get
        for pos, row in enumerate(self.rows):
            for word in row_words(row):
                lst = get(word)
                if lst is None:
                    postings[word] = [pos]
                else:
                    lst.append(pos)
        self.vocab: list[str] = sorted(postings)
        lists = [postings[w] for w in self.vocab]
        del postings
        self._flat = array("I", chain.from_iterable(lists))
        self._offsets = array("Q", accumulate(map(len, lists), initial=0))
        del lists
        self._heavy: dict[str, int] = {}
        self._find_heavy("", 0, len(self.vocab))

    def _find_heavy(self, prefix: str, lo: int, hi: int) -> None:
        """Precompute bitsets for every prefix (under ``prefix``) that matches many rows."""
        vocab, offsets = self.vocab, self._offsets
        depth = len(prefix) + 1
        i = lo
        while i < hi:
            word = vocab[i]
            if len(word) < depth:
                i += 1
                continue
            child = word[:depth]
            end = bisect_left(vocab, _next_prefix(child), i, hi)
            if offsets[end] - offsets[i] > self._heavy_limit:
                mask = bytearray(len(self.rows))
                deque(map(mask.__setitem__, self._flat[offsets[i] : offsets[end]], repeat(1)), 0)
                self._heavy[child] = _bits_from_mask(mask)
                self._find_heavy(child, i, end)
            i = end

    # -- updating -----------------------------------------------------------------------------

    def update(self, rows: Iterable[SearchableRow]) -> list[int]:
        """Replace rows already in the index; answers their positions (others are ignored).

        The old words of a replaced row stay in the index, so the row joins the overlay and is
        matched directly until the next rebuild.
        """
        changed: list[int] = []
        for row in rows:
            pos = self.position.get(row.id)
            if pos is None:
                continue
            self.rows[pos] = row
            self.statuses[pos] = STATUS_CODES[effective_status(row, self.now)]
            self._dirty.add(pos)
            self._dirty_words[pos] = row_words(row)
            changed.append(pos)
        if changed:
            self._ranks.clear()
        return changed

    def refresh_statuses(self, now: datetime | None = None) -> list[int]:
        """Recompute time-dependent statuses (expired invites, ended lockouts); answers changes."""
        self.now = now or datetime.now(UTC)
        changed = []
        for pos, row in enumerate(self.rows):
            code = STATUS_CODES[effective_status(row, self.now)]
            if code != self.statuses[pos]:
                self.statuses[pos] = code
                changed.append(pos)
        return changed

    # -- querying -----------------------------------------------------------------------------

    def _word_rows(self, word: str) -> int | set[int]:
        """Rows having a word that starts with ``word``: a bitset if many, else a set."""
        heavy = self._heavy.get(word)
        if heavy is not None:
            return heavy
        lo = bisect_left(self.vocab, word)
        hi = bisect_left(self.vocab, _next_prefix(word), lo)
        return set(self._flat[self._offsets[lo] : self._offsets[hi]])

    def _status_mask(self, statuses: Iterable[str]) -> bytes:
        table = bytearray(256)
        for s in statuses:
            table[STATUS_CODES[s]] = 1
        return bytes(self.statuses.translate(table))

    def search(
        self,
        query: str = "",
        statuses: Iterable[str] | None = None,
        sort: str = "name",
        descending: bool = False,
    ) -> list[int]:
        """Positions of the rows matching ``query`` and one of ``statuses``, in display order."""
        words = query_words(query)
        status_set = set(statuses) if statuses is not None else None
        n = len(self.rows)
        bits: int | None = None
        small: set[int] | None = None
        for word in dict.fromkeys(words):
            found = self._word_rows(word)
            if isinstance(found, int):
                bits = found if bits is None else bits & found
            else:
                small = found if small is None else small & found
        status_mask = self._status_mask(status_set) if status_set is not None else None

        if small is None and bits is None:
            if status_mask is None and not self._dirty:
                return self._ordered_all(sort, descending)
            mask = bytearray(status_mask) if status_mask is not None else bytearray(b"\x01") * n
            return self._order_mask(mask, sort, descending)

        if small is not None:
            # Few rows: filter them one by one against the bitset and the status.
            cand = small - self._dirty
            if bits is not None:
                bm = _mask_from_bits(bits, n)
                cand = {p for p in cand if bm[p]}
            if status_mask is not None:
                cand = {p for p in cand if status_mask[p]}
            cand.update(p for p in self._dirty if self._dirty_match(p, words, status_mask))
            return self._order_positions(cand, sort, descending)

        assert bits is not None
        mask = bytearray(_mask_from_bits(bits, n))
        if status_mask is not None:
            mask = bytearray((int.from_bytes(mask) & int.from_bytes(status_mask)).to_bytes(n))
        for p in self._dirty:
            mask[p] = 1 if self._dirty_match(p, words, status_mask) else 0
        return self._order_mask(mask, sort, descending)

    def _dirty_match(self, pos: int, words: list[str], status_mask: bytes | None) -> bool:
        if status_mask is not None and not status_mask[pos]:
            return False
        own = self._dirty_words[pos]
        return all(any(w.startswith(q) for w in own) for q in words)

    # -- ordering -----------------------------------------------------------------------------

    def _perm(self, sort: str) -> tuple[list[int], list[int]]:
        """(display order → position, position → rank) for a sort key, computed once."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}")
        if sort not in self._ranks:
            key = _sort_key(sort, self)
            perm = sorted(self._all, key=key)
            rank = [0] * len(perm)
            for r, p in enumerate(perm):
                rank[p] = r
            self._ranks[sort] = (perm, rank)
        return self._ranks[sort]

    def invalidate_sorts(self) -> None:
        """Forget cached sort orders (after rows changed the values they sort on)."""
        self._ranks.clear()

    def _ordered_all(self, sort: str, descending: bool) -> list[int]:
        order = self._all if sort == "name" else self._perm(sort)[0]
        return order[::-1] if descending else order

    def _order_mask(self, mask: bytes | bytearray, sort: str, descending: bool) -> list[int]:
        if sort == "name":
            out = list(compress(self._all, mask))
        else:
            perm = self._perm(sort)[0]
            permuted = itemgetter(*perm)(mask) if len(perm) > 1 else [mask[p] for p in perm]
            out = list(compress(perm, permuted))
        return out[::-1] if descending else out

    def _order_positions(self, positions: set[int], sort: str, descending: bool) -> list[int]:
        if sort == "name":
            return sorted(positions, reverse=descending)
        rank = self._perm(sort)[1]
        return sorted(positions, key=rank.__getitem__, reverse=descending)


def _sort_key(sort: str, index: CustomerIndex) -> Callable[[int], Any]:
    rows = index.rows
    if sort == "contact":
        keys: list[Any] = [((r.primary_contact_name or "").casefold() or "\uffff") for r in rows]
    elif sort == "email":
        keys = [((r.primary_email or "").casefold() or "\uffff") for r in rows]
    elif sort == "status":
        keys = list(index.statuses)
    else:
        # Never-signed-in rows sort before everyone who has, oldest sign-in first.
        keys = [_timestamp(r.last_sign_in_at) for r in rows]
    return keys.__getitem__


def _timestamp(moment: Moment) -> float:
    when = aware(moment)
    return when.timestamp() if when is not None else 0.0


def naive_search(rows: Sequence[SearchableRow], query: str) -> list[int]:
    """The obvious filter, kept as the benchmark's baseline: case-insensitive substring scan."""
    q = query.casefold().strip()
    out = []
    for i, r in enumerate(rows):
        fields = (r.name, r.primary_contact_name, r.primary_email, r.phone, r.address)
        if any(f and q in f.casefold() for f in fields):
            out.append(i)
    return out
