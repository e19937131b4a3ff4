"""Fast search over the cached customer rows: word-prefix matching through a prefix index.

A query is split into words; a customer matches when every word is the start of some word of
its name, primary contact, email, phone or address (phones also match on their digits alone,
so "555 0134", "5550134" and "0134" all find "(555) 555-0134"). A query of only one- and
two-letter words follows the server's rule (``server.wire.search``): its first word must be
the start of the customer's name, found by bisection in the name-ordered rows. (Longer words
stay starts of words here, where the server also finds them inside words: the cache has no
index of word pieces.)

Why it is fast by construction rather than by luck: see ``app.word_index`` (a sorted
vocabulary over flat postings, bitsets for prefixes shared by many rows). Rows are held by
column (``app.customer_table``), so 100,000 customers and their index take about 40 MiB and
hold almost no objects the cyclic collector would scan. Rows changed after the index was built
are kept in a small overlay and checked directly until the next rebuild. The whole index can
be saved and loaded as a few large blocks (``app.customer_snapshot``).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter
from typing import Any, Protocol

from app.customer_table import CustomerTable, columns_of
from app.index_parts import IndexParts, build_parts, field_words
from app.portal_status import STATUS_CODES, Moment, aware, effective_status
from app.word_index import mask_from_bits, next_prefix
from server.wire.search import search_plan, starts_name

_WORD = re.compile(r"[^\W_]+")
_PHONE_QUERY = re.compile(r"[\d\s().+-]+")
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
    return field_words(
        row.name, row.primary_contact_name, row.primary_email, row.phone, row.address
    )


class CustomerIndex:
    """A search index over customer rows, kept in name order (the default sort).

    ``search`` answers the positions (indices into ``rows``) of the matching rows in display
    order, as a list, a range or an array. It may be shared with the index: treat it as
    read-only.
    """

    def __init__(self, rows: Iterable[SearchableRow] = (), now: datetime | None = None) -> None:
        self._adopt(build_parts(columns_of(rows), now or datetime.now(UTC)))

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, list[Any]], now: datetime | None = None
    ) -> CustomerIndex:
        """Build from per-column lists (``Cache.customer_columns``), emptying them as it goes."""
        return cls.from_parts(build_parts(columns, now or datetime.now(UTC)))

    @classmethod
    def from_parts(cls, parts: IndexParts) -> CustomerIndex:
        """An index made of ready parts (a loaded snapshot); statuses are brought up to now."""
        index = cls.__new__(cls)
        index._adopt(parts)
        return index

    def _adopt(self, parts: IndexParts) -> None:
        self.parts = parts
        self.rows: CustomerTable = parts.rows
        self.words = parts.words
        self.position = parts.position
        self.statuses = parts.statuses
        self.now = parts.now
        self._due_next = 0
        self._all = range(len(self.rows))
        self._dirty: set[int] = set()
        self._dirty_words: dict[int, set[str]] = {}
        self._ranks: dict[str, tuple[Sequence[int], array[int]]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def _heavy(self) -> dict[str, int]:
        return self.words.heavy

    def due_remaining(self) -> tuple[array[float], array[int]]:
        """Status changes still to come (times, positions): what a snapshot must keep."""
        return self.parts.due_at[self._due_next :], self.parts.due_pos[self._due_next :]

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
        """Recompute time-dependent statuses (expired invites, ended lockouts); answers changes.

        Only rows with a change due by ``now`` (and replaced rows) are looked at, so the
        minute timer costs next to nothing at 1,000,000 rows.
        """
        self.now = now or datetime.now(UTC)
        stamp = self.now.timestamp()
        due_at, due_pos = self.parts.due_at, self.parts.due_pos
        look: list[int] = []
        while self._due_next < len(due_at) and due_at[self._due_next] <= stamp:
            look.append(due_pos[self._due_next])
            self._due_next += 1
        changed = []
        for pos in dict.fromkeys(look + sorted(self._dirty)):
            code = STATUS_CODES[effective_status(self.rows[pos], self.now)]
            if code != self.statuses[pos]:
                self.statuses[pos] = code
                changed.append(pos)
        if changed:
            self._ranks.pop("status", None)
        return changed

    # -- querying -----------------------------------------------------------------------------

    def _word_rows(self, word: str) -> int | set[int]:
        """Rows having a word that starts with ``word``: a bitset if many, else a set."""
        return self.words.rows_with_prefix(word)

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
    ) -> Sequence[int]:
        """Positions of the rows matching ``query`` and one of ``statuses``, in display order."""
        plan = search_plan(query)
        start = plan.name_start
        words = query_words(query) if start is None else words_of(" ".join(plan.terms))
        status_set = set(statuses) if statuses is not None else None
        n = len(self.rows)
        bits: int | None = None
        small: set[int] | None = None
        if start is not None:
            lo, hi = self._name_range(start)
            bits = ((1 << (hi - lo)) - 1) << lo  # rows lo..hi-1: one shift, whatever the count
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
                bm = mask_from_bits(bits, n)
                cand = {p for p in cand if bm[p]}
            if status_mask is not None:
                cand = {p for p in cand if status_mask[p]}
            cand.update(p for p in self._dirty if self._dirty_match(p, words, status_mask, start))
            return self._order_positions(cand, sort, descending)

        assert bits is not None
        mask = bytearray(mask_from_bits(bits, n))
        if status_mask is not None:
            mask = bytearray((int.from_bytes(mask) & int.from_bytes(status_mask)).to_bytes(n))
        for p in self._dirty:
            mask[p] = 1 if self._dirty_match(p, words, status_mask, start) else 0
        return self._order_mask(mask, sort, descending)

    def _name_range(self, start: str) -> tuple[int, int]:
        """The positions ``lo..hi-1`` whose name (as indexed) starts with ``start``.

        Rows are stored in casefolded-name order, so they are one run found by bisection. The
        stored names are the indexed ones: a row renamed since is dirty and checked apart.
        """
        names = self.rows.texts["name"]
        prefix = start.casefold()

        def key(pos: int) -> str:
            return names[pos].casefold()

        lo = bisect_left(self._all, prefix, key=key)
        hi = bisect_left(self._all, next_prefix(prefix), lo, key=key)
        return lo, hi

    def _dirty_match(
        self, pos: int, words: list[str], status_mask: bytes | None, start: str | None = None
    ) -> bool:
        if status_mask is not None and not status_mask[pos]:
            return False
        if start is not None and not starts_name(self.rows[pos].name, start):
            return False
        own = self._dirty_words[pos]
        return all(any(w.startswith(q) for w in own) for q in words)

    # -- ordering -----------------------------------------------------------------------------

    def _perm(self, sort: str) -> tuple[Sequence[int], array[int]]:
        """(display order → position, position → rank) for a sort key, computed once."""
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}")
        if sort not in self._ranks:
            key = _sort_key(sort, self)
            perm = array("I", sorted(self._all, key=key))
            rank = array("I", bytes(4 * len(perm)))
            for r, p in enumerate(perm):
                rank[p] = r
            self._ranks[sort] = (perm, rank)
        return self._ranks[sort]

    def invalidate_sorts(self) -> None:
        """Forget cached sort orders (after rows changed the values they sort on)."""
        self._ranks.clear()

    def _ordered_all(self, sort: str, descending: bool) -> Sequence[int]:
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
        keys: list[Any] = [
            (v or "").casefold() or "\uffff" for v in rows.column("primary_contact_name")
        ]
    elif sort == "email":
        keys = [(v or "").casefold() or "\uffff" for v in rows.column("primary_email")]
    elif sort == "status":
        keys = list(index.statuses)
    else:
        # Never-signed-in rows sort before everyone who has, oldest sign-in first.
        keys = [_timestamp(v) for v in rows.column("last_sign_in_at")]
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
