"""What a customer search index is made of, and how it is built from per-column row lists.

Kept apart from ``app.customer_search`` (which answers queries) so the snapshot module can save
and load the same parts without building anything.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.customer_table import CHUNK, CustomerTable, gentle_sorted, release
from app.portal_status import STATUS_CODES, Moment, aware, effective_status
from app.word_index import WordIndex

_WORD = re.compile(r"[^\W_]+")
_NON_DIGIT = re.compile(r"\D+")
_WAITING = (STATUS_CODES["invited"], STATUS_CODES["locked"])
# Statuses that can change with time alone need their dates read; the rest map directly.
_TIMED = frozenset({"invited", "invite_expired", "active", "locked"})
_PLAIN = {s: c for s, c in STATUS_CODES.items() if s not in _TIMED}


def field_words(
    name: str, contact: str | None, email: str | None, phone: str | None, address: str | None
) -> set[str]:
    """Every word a row with these fields can be found by."""
    text = f"{name} {contact or ''} {email or ''} {phone or ''} {address or ''}"
    words = set(_WORD.findall(text.casefold()))
    if phone:
        digits = _NON_DIGIT.sub("", phone)
        if digits:
            words.update((digits, digits[-10:], digits[-7:], digits[-4:]))
    return words


class IdPositions:
    """Customer id → position in the index, as two arrays searched by bisection (no dict)."""

    def __init__(self, ids: array[int], positions: array[int]) -> None:
        self.ids = ids  # ascending
        self.positions = positions

    @classmethod
    def build(cls, ids_by_position: array[int]) -> IdPositions:
        """From each position's id."""
        order = gentle_sorted(range(len(ids_by_position)), key=ids_by_position.__getitem__)
        return cls(array("q", (ids_by_position[p] for p in order)), array("I", order))

    def get(self, customer_id: int, default: int | None = None) -> int | None:
        """The position of a customer, or ``default``."""
        i = bisect_left(self.ids, customer_id)
        if i < len(self.ids) and self.ids[i] == customer_id:
            return int(self.positions[i])
        return default

    def __getitem__(self, customer_id: int) -> int:
        pos = self.get(customer_id)
        if pos is None:
            raise KeyError(customer_id)
        return pos

    def __contains__(self, customer_id: object) -> bool:
        return isinstance(customer_id, int) and self.get(customer_id) is not None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class IndexParts:
    """Everything a ``CustomerIndex`` is made of (what a snapshot saves and loads)."""

    rows: CustomerTable
    words: WordIndex
    position: IdPositions
    statuses: bytearray
    # Times (UTC timestamps, ascending) at which a row's status changes by itself: an invite
    # expires, a lockout ends. Only these rows need a look when the clock moves on.
    due_at: array[float]
    due_pos: array[int]
    now: datetime


def build_parts(columns: Mapping[str, list[Any]], now: datetime) -> IndexParts:
    """Sort rows by name, store them by column, index their words and statuses.

    Takes the column lists over: they are emptied (a chunk at a time, see ``release``) once
    the rows are stored, so whoever drops them afterwards frees nothing big.
    """
    names = columns["name"]
    ids = columns["id"]
    keys: list[tuple[str, int]] = []
    for i in range(0, len(ids), CHUNK):
        keys.extend(zip(map(str.casefold, names[i : i + CHUNK]), ids[i : i + CHUNK], strict=True))
    order = gentle_sorted(range(len(ids)), key=keys.__getitem__)
    release(keys)
    table = CustomerTable.from_columns(columns, order)
    release(order, *columns.values())
    fields = [
        table.column(c)
        for c in ("name", "primary_contact_name", "primary_email", "phone", "address")
    ]
    words = WordIndex.build(map(field_words, *fields), len(table))
    release(*fields)
    statuses, due = _statuses(table, now)
    return IndexParts(
        table,
        words,
        IdPositions.build(table.numbers["id"]),
        statuses,
        array("d", [t for t, _ in due]),
        array("I", [p for _, p in due]),
        now,
    )


def _statuses(table: CustomerTable, now: datetime) -> tuple[bytearray, list[tuple[float, int]]]:
    """Each row's status as of ``now``, and the (time, position) of changes still to come."""
    statuses = bytearray(len(table))
    due: list[tuple[float, int]] = []
    stamp = now.timestamp()
    columns = [table.column(c) for c in ("portal_status", "invite_expires_at", "locked_until")]
    for pos, (status, expires, locked) in enumerate(zip(*columns, strict=True)):
        if status in _TIMED:
            code = STATUS_CODES[effective_status(_StatusView(status, expires, locked), now)]
            if code in _WAITING:
                when = aware(expires if code == _WAITING[0] else locked)
                if when is not None and when.timestamp() > stamp:
                    due.append((when.timestamp(), pos))
        else:
            code = _PLAIN.get(status, 0)
        statuses[pos] = code
    release(*columns)
    due.sort()
    return statuses, due


@dataclass(slots=True)
class _StatusView:
    portal_status: str
    invite_expires_at: Moment
    locked_until: Moment
