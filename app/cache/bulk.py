"""Many rows per INSERT statement: how a page of the feed goes into the cache.

``executemany`` runs the statement once per row, and for a full sync (half a million rows)
the per-run work (reset, halt, cursor open and close, allocations) cost more than storing
the rows themselves. One statement with a few hundred ``VALUES`` rows does that work once
per few hundred rows: about a third less CPU for the same rows. Rows are applied in order,
exactly as ``executemany`` would apply them (a later row with the same key replaces).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

# SQLite builds before 3.32 allow 999 bound values per statement: stay within that anywhere.
MAX_VALUES = 999


def insert_rows(
    conn: sqlite3.Connection, head: str, rows: Sequence[Sequence[Any]], width: int
) -> None:
    """Run ``head`` (``INSERT ... VALUES``, without the values) for every row of ``width``."""
    one = "(" + ", ".join("?" * width) + ")"
    per = max(1, MAX_VALUES // width)
    whole = len(rows) - len(rows) % per
    if whole:
        # The same text each time: the connection's statement cache compiles it once.
        statement = head + " " + ", ".join([one] * per)
        flat = chain.from_iterable
        for start in range(0, whole, per):
            conn.execute(statement, tuple(flat(rows[start : start + per])))
    if whole < len(rows):
        conn.executemany(head + " " + one, rows[whole:])
