"""A psycopg cursor that describes each statement's result once.

SQLAlchemy reads ``cursor.description`` after every statement, and psycopg builds it afresh
each time: a ``Column`` per column, each looking up its name, type and sizes in the result.
For the portal's session lookup (five rows of 86 columns) that was a third of the
statement's own CPU time on the server. A statement's text and the types of its columns
decide its description, so one built for a text is reused while the result's column types
are the same (checked on every call: a few calls into libpq). Descriptions are never changed
by their readers, so one list serves every cursor and thread.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import Column

DESCRIPTIONS_KEPT = 4096
_described: dict[tuple[str, tuple[int, ...]], list[Column]] = {}


class DescribedOnceCursor(psycopg.Cursor[Any]):
    """``psycopg.Cursor`` with descriptions kept per statement text and column types."""

    _statement: str | None = None

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> DescribedOnceCursor:
        """Run ``query``, remembering its text for ``description``."""
        self._statement = query if isinstance(query, str) else None
        super().execute(query, params, **kwargs)
        return self

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
        """As psycopg's; its results are described afresh."""
        self._statement = None
        super().executemany(query, params_seq, **kwargs)

    def nextset(self) -> bool | None:
        """As psycopg's; a further result is described afresh."""
        self._statement = None
        return super().nextset()

    @property
    def description(self) -> list[Column] | None:
        """The result's columns, built once per statement text and column types."""
        res = self.pgresult
        if self._statement is None or res is None or not res.nfields:
            return super().description
        key = (self._statement, tuple(res.ftype(i) for i in range(res.nfields)))
        found = _described.get(key)
        if found is None:
            found = super().description
            if found is not None and len(_described) < DESCRIPTIONS_KEPT:
                _described[key] = found
        return found
