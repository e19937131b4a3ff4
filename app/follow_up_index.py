"""The follow-up inbox as columns in memory, newest first, filtered on plain Python data.

The panel's table shows positions into these columns; a filter or a keystroke in the search
box computes a new list of positions (no proxy model over 100,000 rows). A search that extends
the previous one looks only among the previous matches (whose texts it keeps beside them), so
typing gets cheaper per letter.
A search of one letter or digit reads a mask worked out when loading (which items hold that
character) instead of testing every text; a longer search first keeps the items that hold its
rarest character that way. Items changed by sync are patched in place (or inserted where their
time puts them), masks included.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, compress, repeat
from operator import contains, eq, is_
from pathlib import Path
from typing import Any

from app.cache.follow_ups import INDEX_COLUMNS, SELECT_INDEX, SELECT_NEWEST, index_row
from app.follow_up_filter import NOBODY, InboxFilter
from app.follow_up_scans import Negated, fresh, marked, ones, where

MEMO = 64  # search results remembered for the current filter (typing and deleting letters)
# The characters with a mask of the items holding them: what a first letter typed usually is.
MASKED = "abcdefghijklmnopqrstuvwxyz0123456789"
# Under this many items a search tests the texts at once (a mask's pass would not pay).
SMALL_POOL = 2000
# A mask narrows a longer search first only when this share of the items at most hold that
# character: a pass over bytes costs about a third of a substring test per item.
RARE = 0.4
ALL = ""  # the key of every item's masks, as opposed to one state's


class InboxIndex:
    """Every cached follow-up item as columns, in display order (newest first)."""

    def __init__(self, rows: Iterable[Sequence[Any]] = ()) -> None:
        columns: list[list[Any]] = [[] for _ in INDEX_COLUMNS]
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        (
            self.ids,
            self.kinds,
            self.states,
            self.happened,
            self.customer_ids,
            self.assignee_ids,
            self.titles,
            self.customers,
            self.assignees,
            self.search,
        ) = columns
        # A first screenful read before the rest (``load(newest=...)``), and how many in all.
        self.partial = False
        self._total = 0
        # Per character of ``MASKED``: a byte per item, 1 where its search text holds it (one
        # byte per item and character: 3.6 MB for 100,000 items). Kept through updates.
        self._masks: dict[str, bytearray] = {}
        self._forget()

    def _forget(self) -> None:
        """Drop what was worked out from the columns (they changed)."""
        self._position: dict[int, int] | None = None
        # The positions the last filter's fields (all but the text) let through, and the
        # state (``ALL``: every item) when they are all of that state's items (None: fewer).
        self._base: tuple[InboxFilter, list[int]] | None = None
        self._base_whole: str | None = None
        # Masks (see ``_masks``) of one state's items, a byte per item of that state.
        self._state_masks: dict[tuple[str, str], bytes] = {}
        self._selectors: dict[str, bytes] = {}
        self._memo: dict[str, list[int]] = {}
        # The last search made (not remembered): its text, its positions and their texts, for
        # the next letter typed to read those texts straight away.
        self._last: tuple[str, list[int], list[str]] | None = None
        self._by_state: dict[str, list[int]] = {}
        # Every position (the filter "open and done" with nothing else chosen), once made.
        self._every: list[int] | None = None
        # Each state's search texts, in its positions' order.
        self._state_texts: dict[str, list[str]] = {}
        self._by_kind: dict[tuple[str, str], list[int]] = {}
        self._counts: dict[int | None, dict[str, int]] = {}

    @classmethod
    def load(cls, path: Path | str, newest: tuple[str, int] | None = None) -> InboxIndex:
        """Read the inbox columns of a cache file (its own read-only connection).

        ``newest=(state, n)`` reads only the newest ``n`` items in that state (a first
        screenful) and remembers how many items there are in all (``total``).
        """
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            conn.execute("BEGIN")
            index = cls()
            columns = index._columns()
            if newest is None:
                cursor = conn.execute(SELECT_INDEX)
            else:
                index._total = int(conn.execute("SELECT count(*) FROM follow_up").fetchone()[0])
                cursor = conn.execute(SELECT_NEWEST, newest)
            while chunk := cursor.fetchmany(10000):
                for values, column in zip(zip(*chunk, strict=True), columns, strict=True):
                    column.extend(values)
            conn.execute("COMMIT")
        finally:
            conn.close()
        index.partial = newest is not None
        if not index.partial:
            index.prepare()
        return index

    def prepare(self) -> None:
        """Work out now what the first filter, search or choice would (``load`` calls this on
        its worker thread): each state's items and where each item sits. Otherwise the first
        keystroke or click after opening would pay for it on the UI thread."""
        for state in set(self.states):
            self._state_positions(state)
        self._every_position()
        # Each search text made anew, one state's items after another: a search then reads
        # its texts in the order they lie in memory, about twice as fast as texts spread
        # among the other columns' values as the rows were read.
        search = self.search
        for state, positions in self._by_state.items():
            texts = fresh(list(map(search.__getitem__, positions)))
            deque(map(search.__setitem__, positions, texts), maxlen=0)
            self._state_texts[state] = texts
        # Each state's items of each kind, in one pass (the kind chips start from these).
        by_kind: dict[tuple[str, str], list[int]] = {}
        for pos, key in enumerate(zip(self.states, self.kinds, strict=True)):
            found = by_kind.get(key)
            if found is None:
                by_kind[key] = [pos]
            else:
                found.append(pos)
        self._by_kind = by_kind
        _ = self.position
        # Iterated in C: some 8 ms per character for 100,000 items.
        self._masks = {c: bytearray(map(contains, self.search, repeat(c))) for c in MASKED}
        # The state the inbox opens on: a first letter typed there reads its own masks.
        opening = InboxFilter().state
        if opening in self._by_state:
            for c in MASKED:
                self._state_mask(opening, c)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def total(self) -> int:
        """How many items the inbox holds (also while only a first screenful is read)."""
        return self._total if self.partial else len(self.ids)

    @property
    def position(self) -> dict[int, int]:
        """Where each item id sits in the columns."""
        if self._position is None:
            self._position = {item_id: pos for pos, item_id in enumerate(self.ids)}
        return self._position

    # -- filtering -------------------------------------------------------------------------

    def filter(self, f: InboxFilter) -> list[int]:
        """Positions of the items ``f`` lets through, newest first (ascending positions)."""
        fields = f.without_text()
        if self._base is None or self._base[0] != fields:
            self._base = (fields, self._filter_fields(f))
            self._memo = {}
            self._last = None
            whole = fields == InboxFilter(state=f.state)
            self._base_whole = (ALL if f.state is None else f.state) if whole else None
        base = self._base[1]
        text = f.text.strip().casefold()
        if not text:
            return base
        found = self._memo.get(text)
        if found is None:
            found = self._search(text, base)
            if len(self._memo) >= MEMO:
                self._memo.clear()
            self._memo[text] = found
        return found

    def _search(self, text: str, base: list[int]) -> list[int]:
        # Typing on: look only among the matches of a text remembered here that this one holds
        # (the text typed so far, or a part of it), the fewest of them; deleting letters finds
        # the shorter text's matches remembered already.
        pool, within = base, ""
        last, self._last = self._last, None
        if last is not None and last[0] in text:
            pool, within = last[1], last[0]  # its texts at hand, unless another has fewer
        for known, matches in self._memo.items():
            if len(matches) < len(pool) and known in text:
                pool, within = matches, known
        masks = self._masks
        texts: list[str] | None = None
        if len(text) == 1 and text in masks:
            # Exactly the items holding that character; all of one state's items (a first
            # letter typed) with that state's own mask, alongside them: no lookup per item.
            whole = self._base_whole
            if pool is base and whole is not None:
                mask = self._state_mask(whole, text)
                found = list(compress(pool, mask))
                self._last = (text, found, list(compress(self._texts_of(whole), mask)))
                return found
            return marked(pool, masks[text])
        if last is not None and last[1] is pool:
            texts = last[2]  # the matches of the text typed so far, with their texts
        elif len(pool) > SMALL_POOL:
            # Keep first the items holding the query's rarest masked character (one the pool's
            # items are not known to hold), if rare enough to pay for its pass.
            held = [masks[c] for c in set(text) - set(within) if c in masks]
            rarest = min(held, key=ones, default=None)
            if rarest is not None and ones(rarest) <= RARE * len(rarest):
                pool = marked(pool, rarest)
        # Iterated in C (map, compress): about three times a comprehension's speed. Reading
        # the texts of the last matches from their own list, not through the positions, makes
        # the third letter typed about a tenth faster and the later ones a fifth to a third;
        # keeping them costs the second letter (tens of thousands of matches) about 5%.
        if texts is None:
            texts = list(map(self.search.__getitem__, pool))
        held_by = list(map(contains, texts, repeat(text)))
        found = list(compress(pool, held_by))
        self._last = (text, found, list(compress(texts, held_by)))
        return found

    def _texts_of(self, state: str) -> list[str]:
        # One state's search texts (``ALL``: every item's), kept once gathered.
        if state == ALL:
            return self.search
        found = self._state_texts.get(state)
        if found is None:
            positions = self._state_positions(state)
            found = self._state_texts[state] = list(map(self.search.__getitem__, positions))
        return found

    def _filter_fields(self, f: InboxFilter) -> list[int]:
        if f.without_text() == InboxFilter(state=None):
            return self._every_position()
        positions: Iterable[int] = range(len(self.ids))
        if f.since is not None or f.until is not None:
            positions = self._time_range(f.since, f.until)
        # Each test is iterated in C (map, compress), not in a comprehension.
        if f.state is not None:
            if isinstance(positions, range) and len(positions) == len(self.ids):
                positions = self._state_positions(f.state)
            else:
                positions = where(positions, self.states, eq, f.state)
        if f.kinds:
            if f.state is not None and positions is self._by_state.get(f.state):
                # One state's items of the chosen kinds: their lists, worked out when loading,
                # merged (sorted finds the runs already in order).
                kinds = [self._kind_positions(f.state, kind) for kind in sorted(f.kinds)]
                positions = kinds[0] if len(kinds) == 1 else sorted(chain(*kinds))
            else:
                values = map(self.kinds.__getitem__, positions)
                positions = list(compress(positions, map(f.kinds.__contains__, values)))
        if f.assignee is not None:
            if f.assignee == NOBODY:
                positions = where(positions, self.assignee_ids, is_, None)
            else:
                positions = where(positions, self.assignee_ids, eq, f.assignee)
        return list(positions)

    def _every_position(self) -> list[int]:
        # A list of 100,000 new ints takes a few milliseconds: made once, not at every choice
        # of "open and done".
        if self._every is None:
            self._every = list(range(len(self.ids)))
        return self._every

    def _state_positions(self, state: str) -> list[int]:
        # Every kind/person filter starts from one state's items: kept once worked out.
        found = self._by_state.get(state)
        if found is None:
            found = self._by_state[state] = where(range(len(self.states)), self.states, eq, state)
        return found

    def _kind_positions(self, state: str, kind: str) -> list[int]:
        # A kind chip starts from one state's items of that kind: kept once worked out.
        found = self._by_kind.get((state, kind))
        if found is None:
            found = where(self._state_positions(state), self.kinds, eq, kind)
            self._by_kind[(state, kind)] = found
        return found

    def _state_mask(self, state: str, c: str) -> bytes | bytearray:
        # The mask of ``c`` for one state's items (``ALL``: every item), kept once made (a
        # pass in C over every item's byte, under a millisecond).
        if state == ALL:
            return self._masks[c]
        found = self._state_masks.get((state, c))
        if found is None:
            found = bytes(compress(self._masks[c], self._state_selector(state)))
            self._state_masks[(state, c)] = found
        return found

    def _state_selector(self, state: str) -> bytes:
        # A byte per item, 1 for the items in that state.
        found = self._selectors.get(state)
        if found is None:
            found = self._selectors[state] = bytes(map(eq, self.states, repeat(state)))
        return found

    def _time_range(self, since: float | None, until: float | None) -> range:
        # The columns are newest first: a time range is one slice, found by bisection.
        negated = Negated(self.happened)
        start = 0 if until is None else bisect.bisect_left(negated, -until)
        stop = len(self.ids) if since is None else bisect.bisect_right(negated, -since)
        return range(start, max(start, stop))

    def counts(self, me_id: int | None = None) -> dict[str, int]:
        """Open items per kind, plus ``"mine"`` (open and mine) and ``"all"`` (all open)."""
        known = self._counts.get(me_id)
        if known is None:
            known = self._counts[me_id] = self._count(me_id)
        return dict(known)

    def _count(self, me_id: int | None) -> dict[str, int]:
        out: dict[str, int] = {}
        mine = total = 0
        for kind, state, who in zip(self.kinds, self.states, self.assignee_ids, strict=True):
            if state != "open":
                continue
            out[kind] = out.get(kind, 0) + 1
            total += 1
            if me_id is not None and who == me_id:
                mine += 1
        out["mine"] = mine
        out["all"] = total
        return out

    # -- updating --------------------------------------------------------------------------

    def update(self, items: Iterable[Mapping[str, Any]], gone: Iterable[int] = ()) -> bool:
        """Apply items changed by sync (their ``FollowUpOut`` JSON) and removed ids; True when
        anything changed. A changed time moves the item to its new place."""
        changed = False
        for item_id in gone:
            pos = self.position.get(int(item_id))
            if pos is not None:
                self._remove(pos)
                changed = True
        for item in items:
            row = index_row(item)
            pos = self.position.get(row[0])
            if pos is not None and self.happened[pos] == row[3]:
                for column, value in zip(self._columns(), row, strict=True):
                    column[pos] = value
                for c, mask in self._masks.items():
                    mask[pos] = c in row[-1]
            else:
                if pos is not None:
                    self._remove(pos)
                self._insert(row)
            changed = True
        if changed:
            self._forget()
        return changed

    def _columns(self) -> list[list[Any]]:
        return [
            self.ids,
            self.kinds,
            self.states,
            self.happened,
            self.customer_ids,
            self.assignee_ids,
            self.titles,
            self.customers,
            self.assignees,
            self.search,
        ]

    def _remove(self, pos: int) -> None:
        for column in self._columns():
            del column[pos]
        for mask in self._masks.values():
            del mask[pos]
        self._forget()

    def _insert(self, row: Sequence[Any]) -> None:
        negated = Negated(self.happened)
        pos = bisect.bisect_left(negated, -row[3])
        # Among items of the same time, the higher id first (as the cache orders them).
        while pos < len(self.ids) and self.happened[pos] == row[3] and self.ids[pos] > row[0]:
            pos += 1
        for column, value in zip(self._columns(), row, strict=True):
            column.insert(pos, value)
        for c, mask in self._masks.items():
            mask.insert(pos, c in row[-1])
        self._forget()
