"""A SELECT compiled once and run straight on the driver's cursor, for the portal's hottest
statements.

Running a Core statement through ``Connection.execute`` cost a read-only page several times
what the database took to answer it (measured on the session lookup of a portal page: about
0.23 ms of Python around a 0.04 ms statement on SQLite): the compiled-cache lookup hashes
the statement's whole cache key on every run, and an execution context and a result object
are set up for every run. ``CompiledSelect`` does that work once per database dialect: the
SQL text, the order of its bound parameters and each column's result processing (the same
processors ``execute`` applies: UTC times, JSON documents) are kept, and a run is the
driver's ``execute`` plus those processors.

Only for statements whose parameters are plain values (no lists to expand) and that need no
ORM. Statements marked ``prepared`` are prepared on PostgreSQL, as ``make_engine`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Select

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # bound parameter names in order (positional drivers)
    processors: tuple[tuple[int, Processor], ...]  # (column index, processor) where needed
    prepare: bool


class CompiledSelect:
    """``statement`` compiled once per dialect; ``rows`` runs it on a connection's cursor."""

    def __init__(self, statement: Select[Any]) -> None:
        if _expanding(statement):
            raise ValueError("a compiled-once statement cannot expand parameters")
        self._statement = statement
        self._prepare = bool(statement.get_execution_options().get("prepared"))
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        with self._lock:
            compiled = self._statement.compile(dialect=dialect)
            processors = []
            for i, column in enumerate(self._statement.selected_columns):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    processors.append((i, process))
            positions = tuple(compiled.positiontup or ()) if dialect.positional else None
            found = _Compiled(
                compiled.string,
                positions,
                tuple(processors),
                self._prepare and dialect.name == "postgresql",
            )
            self._by_dialect[dialect.name] = found
        return found

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement for ``params``, as tuples of processed values."""
        c = self._compiled(conn.dialect)
        args: Sequence[Any] | Mapping[str, Any] = (
            [params[name] for name in c.positions] if c.positions is not None else params
        )
        cursor = conn.connection.cursor()
        try:
            if c.prepare:
                run: Any = cursor.execute  # psycopg's, which can prepare
                run(c.sql, args, prepare=True)
            else:
                cursor.execute(c.sql, args)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if not c.processors:
            return [tuple(row) for row in fetched]
        out = []
        for row in fetched:
            values = list(row)
            for i, process in c.processors:
                values[i] = process(values[i])
            out.append(tuple(values))
        return out

    def one_or_none(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The statement's only row, or None; more than one is an error."""
        found = self.rows(conn, params)
        if len(found) > 1:
            raise LookupError("more than one row where at most one was expected")
        return found[0] if found else None


def _expanding(statement: Select[Any]) -> bool:
    compiled = statement.compile()
    return any(getattr(p, "expanding", False) for p in compiled.binds.values())
