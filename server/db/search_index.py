"""Dialect-specific indexes behind customer search, installed after every migration.

Search matches each typed term anywhere in ``customer.search_text``. A plain ``LIKE '%term%'``
reads every row (40 to 75 ms at 100,000 customers on either database), so each database gets
a trigram index that Alembic's autogenerate cannot express portably:

- SQLite: an FTS5 table with the trigram tokenizer over ``customer.search_text`` (external
  content, kept in step by triggers, so every writer of ``search_text`` is covered).
- PostgreSQL: the ``pg_trgm`` extension and a GIN index, which ``LIKE`` uses directly.

Both are created with ``IF NOT EXISTS`` and are optional: without them search still works,
only slower (a database user that may not create extensions, an SQLite without FTS5).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, inspect, text

from server.db.follow_up_search_index import (
    install_follow_up_search,
    is_follow_up_search_object,
)

log = logging.getLogger("server.db.search_index")

FTS_TABLE = "customer_fts"
PG_TRGM_INDEX = "ix_customer_search_trgm"

_SQLITE_DDL = (
    "CREATE VIRTUAL TABLE customer_fts USING fts5("
    "search_text, content='customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customer_fts_ai AFTER INSERT ON customer BEGIN "
    "INSERT INTO customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customer_fts_ad AFTER DELETE ON customer BEGIN "
    "INSERT INTO customer_fts(customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customer_fts_au AFTER UPDATE OF search_text ON customer "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO customer_fts(customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    # Index the rows that existed before the table did.
    "INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')",
)


def is_search_object(name: str | None) -> bool:
    """Whether a schema object belongs here (autogenerate must leave these alone)."""
    ours = bool(name) and (str(name).startswith(FTS_TABLE) or name == PG_TRGM_INDEX)
    return ours or is_follow_up_search_object(name)


def install_search_index(conn: Connection) -> None:
    """Create the search indexes of this database (customers, follow-up items) if their tables
    exist and they do not."""
    install_follow_up_search(conn)
    if not inspect(conn).has_table("customer"):
        return  # an empty database seen by autogenerate
    if conn.dialect.name == "sqlite":
        _install_sqlite(conn)
    elif conn.dialect.name == "postgresql":
        _install_postgresql(conn)


def _install_sqlite(conn: Connection) -> None:
    exists = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": FTS_TABLE}
    ).first()
    if exists:
        return
    try:
        with conn.begin_nested():
            for statement in _SQLITE_DDL:
                conn.exec_driver_sql(statement)
    except Exception:  # an SQLite built without FTS5 or older than 3.34 (no trigram tokenizer)
        log.warning("customer search index not available on this SQLite", exc_info=True)


def _install_postgresql(conn: Connection) -> None:
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {PG_TRGM_INDEX} ON customer "
                "USING gin (search_text gin_trgm_ops)"
            )
    except Exception:  # the database user may not create extensions
        log.warning("customer search index not available on this PostgreSQL", exc_info=True)


def has_sqlite_fts(conn: Connection) -> bool:
    """Whether this SQLite database has the FTS5 search table."""
    row = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": FTS_TABLE}
    ).first()
    return row is not None
