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
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Dialect, Select

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Bind:
    name: str
    value: Any  # the statement's own value (a constant written in it), or None
    required: bool  # a value must come with each run
    process: Processor | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    binds: tuple[_Bind, ...]  # in the SQL's order for positional drivers
    positional: bool
    processors: tuple[tuple[int, Processor], ...]  # (column index, processor) where needed
    prepare: bool

    def processed(self, fetched: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The driver's rows with each column's result processing applied."""
        if not self.processors:
            return [tuple(row) for row in fetched]
        out = []
        for row in fetched:
            values = list(row)
            for i, process in self.processors:
                values[i] = process(values[i])
            out.append(tuple(values))
        return out

    def args(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for a run with ``params``."""
        values = []
        for b in self.binds:
            if b.name in params:
                value = params[b.name]
            elif b.required:
                raise KeyError(f"no value for the parameter {b.name!r}")
            else:
                value = b.value
            values.append(b.process(value) if b.process is not None else value)
        if self.positional:
            return values
        return {b.name: v for b, v in zip(self.binds, values, strict=True)}


class CompiledSelect:
    """``statement`` compiled once per dialect; ``rows`` runs it on a connection's cursor."""

    def __init__(self, statement: Select[Any] | CompoundSelect[Any]) -> None:
        if _expanding(statement):
            raise ValueError("a compiled-once statement cannot expand parameters")
        self._statement = statement
        # Rows by column name, for ``named_rows``.
        names = [str(c.key) for c in statement.selected_columns]
        self._named: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        self._prepare = bool(statement.get_execution_options().get("prepared"))
        self._by_dialect: dict[tuple[str, str, bool], _Compiled] = {}
        self._lock = threading.Lock()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        # Per driver, sync or async: result processing may differ between them.
        key = (dialect.name, dialect.driver, dialect.is_async)
        found = self._by_dialect.get(key)
        if found is not None:
            return found
        with self._lock:
            compiled = self._statement.compile(dialect=dialect)
            processors = []
            for i, column in enumerate(self._statement.selected_columns):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    processors.append((i, process))
            names = compiled.positiontup if dialect.positional else list(compiled.binds)
            binds = []
            for name in names or ():
                bind = compiled.binds[name]
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                binds.append(_Bind(name, bind.effective_value, bind.required, process))
            found = _Compiled(
                compiled.string,
                tuple(binds),
                dialect.positional,
                tuple(processors),
                self._prepare and dialect.name == "postgresql",
            )
            self._by_dialect[key] = found
        return found

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement for ``params``, as tuples of processed values."""
        c = self._compiled(conn.dialect)
        args = c.args(params)
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
        return c.processed(fetched)

    @property
    def prepared(self) -> bool:
        """Whether the statement is marked ``prepared`` (planned once per connection)."""
        return self._prepare

    async def rows_async(
        self, dialect: Dialect, conn: Any, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """``rows`` on an asyncpg connection, compiled for ``dialect`` (asyncpg's, whose
        parameters are positional): the event loop's reads (``loop_reads``)."""
        c = self._compiled(dialect)
        args = c.args(params)
        if not isinstance(args, list):
            raise TypeError("the event loop's reads need a dialect with positional parameters")
        return c.processed(await conn.fetch(c.sql, *args))

    def named_rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """``rows`` as named tuples, each value also under its column's name."""
        return self.named(self.rows(conn, params))

    def named(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        """Rows of this statement (``rows``, ``rows_async``) as named tuples."""
        make = self._named._make
        return [make(row) for row in rows]

    def one_or_none(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The statement's only row, or None; more than one is an error."""
        found = self.rows(conn, params)
        if len(found) > 1:
            raise LookupError("more than one row where at most one was expected")
        return found[0] if found else None


def _expanding(statement: Select[Any] | CompoundSelect[Any]) -> bool:
    compiled = statement.compile()
    return any(getattr(p, "expanding", False) for p in compiled.binds.values())
