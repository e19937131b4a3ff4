"""Customer rows stored by column: one string per text column, one array per number column.

100,000 cached rows as named tuples cost about 60 MiB, nearly all of it per-object overhead
(a tuple and a dozen small strings per row). Held here, each text column is one string with
the values end to end and an array of where each starts; a row is sliced out only when asked
for (the table shows a screenful at a time). The same rows take about 20 MiB, load from disk as
a few large blocks, and cost the cyclic collector nothing: there are no per-row objects.

Rows replaced after the table was built live in a small overlay that wins over the columns.
"""

from __future__ import annotations

import gc
import heapq
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import accumulate
from typing import Any

# Which columns are numbers and which may be missing (read back as None) comes from the wire.
from app.cache.rows import COLUMNS, NUMBERS, OPTIONAL, CachedCustomer

TEXTS = tuple(c for c in COLUMNS if c not in NUMBERS)
SEP = "\x00"
_PLUS_ONE = (1).__add__
CHUNK = 5000  # rows per step when building: no single C call holds the GIL for long
# Off in a process of its own (app.index_builder), where no UI thread waits for the GIL.
GENTLE = {"sorting": True}
_CACHE_LIMIT = 512


def as_text(value: Any) -> str:
    """A column value as stored text ("" for None; datetimes as ISO-8601)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def gentle_sorted(items: Sequence[Any], key: Callable[[Any], Any] | None = None) -> list[Any]:
    """``sorted(items, key=key)``, in pieces merged in Python.

    One ``sorted`` over 100,000+ items holds the GIL for 50-200 ms and stalls the UI thread
    while a worker builds; sorted chunks merged by ``heapq.merge`` (a Python generator) let
    the interpreter switch threads every few milliseconds.
    """
    if len(items) <= CHUNK or not GENTLE["sorting"]:
        return sorted(items, key=key)
    parts = [sorted(items[i : i + CHUNK], key=key) for i in range(0, len(items), CHUNK)]
    return list(heapq.merge(*parts, key=key))


def release(*lists: list[Any]) -> None:
    """Empty big lists a chunk at a time.

    Dropping a list of 100,000 strings frees them all in one C call that holds the GIL for
    tens of milliseconds; emptied from the end in chunks, the other threads get their turn.
    """
    for values in lists:
        while values:
            del values[-CHUNK:]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic cyclic garbage collection while building many containers at once."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class TextColumn:
    """Texts end to end in one ``str``, each followed by ``SEP``; ``starts[i]`` locates text i."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str, starts: array[int]) -> None:
        self.text = text
        self.starts = starts

    @classmethod
    def build(cls, values: Sequence[str]) -> TextColumn:
        """A column from stored texts (see ``as_text``)."""
        starts = array("I", [0])
        for i in range(0, len(values), CHUNK):
            # Each value is followed by SEP, hence one more than its length.
            ends = accumulate(map(_PLUS_ONE, map(len, values[i : i + CHUNK])), initial=starts[-1])
            next(ends)  # the initial value is already there
            starts.extend(ends)
        text = SEP.join(values) + SEP if values else ""
        if text.count(SEP) != len(values):  # a value held SEP itself: drop it from the value
            return cls.build([v.replace(SEP, "") for v in values])
        return cls(text, starts)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, i: int) -> str:
        return self.text[self.starts[i] : self.starts[i + 1] - 1]

    def values(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The values of rows ``start`` up to ``stop``, in order (one C-level split)."""
        stop = len(self.starts) - 1 if stop is None else stop
        if stop <= start:
            return []
        out = self.text[self.starts[start] : self.starts[stop]].split(SEP)
        out.pop()
        return out


class CustomerTable(Sequence[CachedCustomer]):
    """A read-mostly sequence of customer rows in display (name) order."""

    def __init__(self, texts: Mapping[str, TextColumn], numbers: Mapping[str, array[int]]) -> None:
        self.texts = dict(texts)
        self.numbers = dict(numbers)
        self.overlay: dict[int, Any] = {}
        self._recent: dict[int, CachedCustomer] = {}
        self._length = len(self.numbers["id"])

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, Sequence[Any]], order: Sequence[int]
    ) -> CustomerTable:
        """Rows taken from per-column lists, in the given order of their indices."""
        texts = {}
        for name in TEXTS:
            src = columns[name]
            values = [v if v.__class__ is str else as_text(v) for v in map(src.__getitem__, order)]
            texts[name] = TextColumn.build(values)
            release(values)
        numbers = {}
        for name in NUMBERS:
            src = columns[name]
            numbers[name] = array("q", [src[i] or 0 for i in order])
        return cls(texts, numbers)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, pos: Any) -> Any:
        if isinstance(pos, slice):
            return [self[i] for i in range(*pos.indices(self._length))]
        if pos < 0:
            pos += self._length
        row = self.overlay.get(pos)
        if row is not None:
            return row
        row = self._recent.get(pos)
        if row is None:
            if len(self._recent) >= _CACHE_LIMIT:
                self._recent.clear()
            row = self._recent[pos] = CachedCustomer._make(self._row_values(pos))
        return row

    def _row_values(self, pos: int) -> Iterator[Any]:
        for name in COLUMNS:
            column = self.texts.get(name)
            if column is not None:
                value = column[pos]
                yield None if not value and name in OPTIONAL else value
            else:
                number = self.numbers[name][pos]
                yield None if number == 0 and name in OPTIONAL else number

    def __setitem__(self, pos: int, row: Any) -> None:
        self.overlay[pos] = row
        self._recent.pop(pos, None)

    def __iter__(self) -> Iterator[CachedCustomer]:
        for start in range(0, self._length, CHUNK):
            yield from self.rows_between(start, min(start + CHUNK, self._length))

    def rows_between(self, start: int, stop: int) -> Iterator[CachedCustomer]:
        """Rows ``start`` up to ``stop``, built column-wise (far faster than one by one)."""
        columns = [self._values(c, start, stop) for c in COLUMNS]
        for pos, values in enumerate(zip(*columns, strict=True), start):
            yield self.overlay.get(pos) or CachedCustomer._make(values)

    def _values(self, name: str, start: int, stop: int) -> list[Any]:
        text = self.texts.get(name)
        if text is not None:
            values = text.values(start, stop)
            return [v or None for v in values] if name in OPTIONAL else list(values)
        numbers = self.numbers[name][start:stop]
        return [v or None for v in numbers] if name in OPTIONAL else numbers.tolist()

    def column(self, name: str) -> list[Any]:
        """Every row's value of one column, in order (the overlay applied)."""
        values = self._values(name, 0, self._length)
        for pos, row in self.overlay.items():
            values[pos] = getattr(row, name)
        return values

    def value(self, pos: int, name: str) -> Any:
        """One field of one row."""
        row = self.overlay.get(pos)
        if row is not None:
            return getattr(row, name)
        text = self.texts.get(name)
        if text is not None:
            value = text[pos]
            return None if not value and name in OPTIONAL else value
        number = self.numbers[name][pos]
        return None if number == 0 and name in OPTIONAL else number


def columns_of(rows: Iterable[Any]) -> dict[str, list[Any]]:
    """Per-column lists from row objects with the ``CachedCustomer`` attributes."""
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    lists = [columns[c] for c in COLUMNS]
    for row in rows:
        for lst, name in zip(lists, COLUMNS, strict=True):
            lst.append(getattr(row, name, None))
    return columns
