"""Engine and session factory for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off so BEGIN IMMEDIATE below is ours.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock up front: a read-then-write transaction in
    # WAL mode can otherwise fail with SQLITE_BUSY despite the busy timeout. A read-only one
    # (GET requests) begins deferred, reads a snapshot and never waits for writers.
    read_only = conn.get_execution_options().get("read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for a database URL with the settings this server relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No server-side prepared statements: after five runs psycopg would prepare, and PostgreSQL
    # may then pick one generic plan for every search term (seen: 50 ms -> 363 ms for "jo").
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Session factory; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


class ReadOnlySessionError(RuntimeError):
    """A write was attempted on a read-only session (a GET request's)."""


def make_read_sessionmaker(engine: Engine, writer: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for requests that only read (GET): on SQLite they never take the write lock.

    Writing through one is a bug and raises; code that must write during a read request (the
    once-a-minute "last seen" of a portal session) uses ``writable(session)``.

    On PostgreSQL they run in autocommit: no BEGIN before the first query and no ROLLBACK at
    the end, two round trips fewer per GET, and nothing left to do at close. Reads see what
    they saw before (READ COMMITTED gives each statement its own snapshot either way); a
    server-side cursor (``stream_results``) needs a transaction, so it needs a writer session.
    """
    options: dict[str, Any] = {"read_only": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return sessionmaker(
        engine.execution_options(**options),
        expire_on_commit=False,
        info={"read_only": True, "writer": writer},
    )


@contextmanager
def writable(session: Session) -> Iterator[Session]:
    """The session itself when it may write, else a short-lived writing session (committed by
    the caller, closed here)."""
    if not session.info.get("read_only"):
        yield session
        return
    writer: sessionmaker[Session] = session.info["writer"]
    with writer() as own:
        yield own


@event.listens_for(Session, "do_orm_execute")
def _refuse_statement_writes(state: ORMExecuteState) -> None:
    if state.session.info.get("read_only") and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlySessionError("a read-only (GET) request tried to write; use writable()")


@event.listens_for(Session, "before_flush")
def _refuse_flush_writes(session: Session, _ctx: Any, _instances: Any) -> None:
    if not session.info.get("read_only"):
        return
    changed = session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    if changed:
        raise ReadOnlySessionError("a read-only (GET) request tried to write; use writable()")
