"""Fast writes for the demo seed: ids handed out in blocks, rows inserted in batches.

Rows are built as plain dicts with their ids already set (so children can point at parents
without a round trip) and written per table and batch through the driver: ``executemany``
on SQLite, ``COPY`` on PostgreSQL. On PostgreSQL the ids come from each table's own
sequence, so later ordinary inserts never collide; on SQLite the seed holds the write lock
for the whole run, so ``max(id) + 1`` is safe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import (
    JSON,
    Connection,
    String,
    Table,
    bindparam,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from server.db.base import Base, UtcDateTime

Row = dict[str, Any]

# Parents before children, so foreign keys hold at every statement.
INSERT_ORDER = (
    "customer",
    "address",
    "contact",
    "portal_account",
    "invite",
    "job",
    "quote",
    "quote_line",
    "invoice",
    "invoice_line",
    "payment",
    "service_request",
    "document",
    "photo",
    "audit_event",
)

# Entities of the changes feed that the seed fills, in the order their changes are numbered.
FEED_ENTITIES = (
    "customer",
    "contact",
    "portal_account",
    "job",
    "quote",
    "invoice",
    "payment",
    "service_request",
    "document",
    "photo",
)


class IdPool:
    """Hands out primary keys per table, fetched from the database in blocks."""

    def __init__(self, session: Session, block: int = 5000) -> None:
        self.session = session
        self.block = block
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self._free: dict[str, list[int]] = defaultdict(list)
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        """The next free id of ``table``."""
        if not self.postgres:
            if table not in self._next:
                current = self.session.scalar(select(func.max(self._table(table).c.id)))
                self._next[table] = (current or 0) + 1
            value = self._next[table]
            self._next[table] = value + 1
            return value
        free = self._free[table]
        if not free:
            # Reversed so that pop() hands them out in ascending order.
            free.extend(
                reversed(
                    self.session.scalars(
                        text(
                            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                            "FROM generate_series(1, :n)"
                        ),
                        {"t": table, "n": self.block},
                    ).all()
                )
            )
        return free.pop()

    @staticmethod
    def _table(name: str) -> Table:
        return Base.metadata.tables[name]


class Batch:
    """Rows waiting to be written, per table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: Row) -> None:
        """Queue one row."""
        self.rows[table].append(row)

    def flush(self, session: Session) -> None:
        """Write every queued row, parents first, and forget them."""
        conn = session.connection()
        for name in INSERT_ORDER:
            rows = self.rows.pop(name, None)
            if rows:
                write_rows(conn, Base.metadata.tables[name], rows)
                self.counts[name] += len(rows)
        leftover = [name for name, rows in self.rows.items() if rows]
        if leftover:
            raise RuntimeError(f"no insert order for {leftover}")


def write_rows(conn: Connection, table: Table, rows: list[Row]) -> None:
    """Insert rows (dicts holding every column) through the driver, in this transaction.

    Values go through each column type's own bind processor, so they are stored exactly as
    an ORM insert would store them; what is skipped is SQLAlchemy's per-row statement
    machinery. PostgreSQL gets COPY (one round trip per batch instead of one per row).
    """
    dialect = conn.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    processors: list[Callable[[Any], Any] | None] = [
        c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns
    ]
    if dialect.name == "postgresql":
        # psycopg adapts JSON through the connection, which COPY does not consult: wrap it.
        processors = [
            Jsonb if isinstance(c.type, JSON) else p
            for c, p in zip(columns, processors, strict=True)
        ]
    keys = [c.name for c in columns]

    def values(row: Row) -> tuple[Any, ...]:
        return tuple(
            p(row[k]) if p is not None and row[k] is not None else row[k]
            for k, p in zip(keys, processors, strict=True)
        )

    names = ", ".join(f'"{k}"' for k in keys)
    driver = conn.connection.driver_connection
    if dialect.name == "postgresql":
        with driver.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(values(row))
        return
    marks = ", ".join("?" * len(keys))
    # Table and column names come from the model metadata, never from input.
    cur = driver.cursor()  # type: ignore[union-attr]
    try:
        cur.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', map(values, rows))  # noqa: S608
    finally:
        cur.close()


def record_feed(session: Session, workspace_id: int, at: datetime) -> None:
    """One change row per seeded record, numbered entity by entity in id order.

    Done in the database (INSERT ... SELECT) so a million change rows cost no Python time.
    The seed only fills empty workspaces, so none of these records has a change row yet.
    """
    change = Base.metadata.tables["change"]
    for entity in FEED_ENTITIES:
        source = Base.metadata.tables[entity]
        query = (
            select(
                source.c.workspace_id,
                literal(entity, String()),
                source.c.id,
                literal("upsert", String()),
                source.c.id if entity == "customer" else source.c.customer_id,
                # Typed, so the timestamp is stored the way every other UTC column is.
                bindparam("at", at, type_=UtcDateTime()),
            )
            .where(source.c.workspace_id == workspace_id)
            .order_by(source.c.id)
        )
        stmt = change.insert().from_select(
            ["workspace_id", "entity", "entity_id", "op", "customer_id", "changed_at"], query
        )
        session.execute(stmt)
