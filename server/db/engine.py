"""Engine and session factory for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from server.db.pg_cursor import DescribedOnceCursor


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
    # (GET requests) opens none: each statement reads its own snapshot and never waits for
    # writers, as reads do on PostgreSQL (see make_read_sessionmaker). BEGIN and ROLLBACK
    # around a page's one or two statements cost the portal's pages as much as a statement.
    if not conn.get_execution_options().get("read_only", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A pooled connection that sat idle may have been closed by the server (a restart, an idle
# timeout); one handed back a moment ago almost certainly was not. Pinging on every checkout
# (SQLAlchemy's pool_pre_ping) cost a round trip per request, a fifth of a portal page's
# time, so only a connection idle this long is pinged. A dead one that slips through fails
# its statement, and SQLAlchemy then replaces every pooled connection older than the failure.
PING_AFTER_IDLE_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection on checkout when it sat in the pool ``PING_AFTER_IDLE_S`` or more;
    a failed ping makes the pool open a fresh connection instead."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error


# psycopg prepares a statement by itself after five runs, and PostgreSQL may then pick one
# generic plan for every value (seen: a customer search went from 50 ms to 363 ms for "jo").
# So nothing is prepared by count; a statement whose plan cannot depend on its values (every
# condition an equality on a unique key) asks with ``.execution_options(prepared=True)`` and
# is planned once per connection instead of on every run (the portal's session lookup: its
# planning was most of PostgreSQL's time per page). Those few run their generic plan at once:
# left to choose, PostgreSQL kept re-planning the session lookup on a large database because
# the generic plan's estimate looked dearer (1.0 ms of its CPU per page instead of 0.3 ms).
PREPARE_BY_COUNT_NEVER = 2**31


def _prepare_when_asked(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    """``do_execute`` hook: run a statement marked ``prepared`` as a prepared statement."""
    if not context.execution_options.get("prepared"):
        return False
    cursor.execute(statement, parameters, prepare=True)
    return True


# The session settings of every PostgreSQL connection of the server.
PG_SETTINGS = {"plan_cache_mode": "force_generic_plan"}
PG_CONNECT: dict[str, Any] = {
    "prepare_threshold": PREPARE_BY_COUNT_NEVER,
    "options": " ".join(f"-c {name}={value}" for name, value in PG_SETTINGS.items()),
}


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine for a database URL with the settings this server relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {**PG_CONNECT, "cursor_factory": DescribedOnceCursor}
    engine = create_engine(url, pool_size=pool_size, max_overflow=20, connect_args=connect_args)
    _ping_when_idle(engine)
    event.listen(engine, "do_execute", _prepare_when_asked)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Session factory; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


class ReadOnlySessionError(RuntimeError):
    """A write was attempted on a read-only session (a GET request's)."""


def read_engine(engine: Engine) -> Engine:
    """``engine`` for requests that only read (GET): autocommit on both databases, and on
    SQLite no write lock (see ``make_read_sessionmaker``)."""
    options: dict[str, Any] = {"read_only": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return engine.execution_options(**options)


def make_read_sessionmaker(engine: Engine, writer: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for requests that only read (GET): on SQLite they never take the write lock.

    Writing through one is a bug and raises; code that must write during a read request (the
    once-a-minute "last seen" of a portal session) uses ``writable(session)``.

    They run in autocommit on both databases: no BEGIN before the first query and no
    ROLLBACK at the end (on PostgreSQL two round trips fewer per GET), and nothing left to do
    at close. Each statement reads its own snapshot (PostgreSQL's READ COMMITTED did so
    anyway); a server-side cursor (``stream_results``) needs a transaction, so it needs a
    writer session. A session may also be bound to a connection of ``read_engine(engine)``
    (``bind=``), as a read-only portal page does (``PageReads``).
    """
    return sessionmaker(
        read_engine(engine),
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


def statement_connection(session: Session, *, writes: bool = False) -> Connection:
    """The connection of ``session``'s transaction, for Core statements that need none of the
    ORM's execution machinery (on a write's hot path that machinery cost more than the
    statement). What ``session.execute`` would do first is done here: rows still pending are
    flushed (so they are written, and their locks taken, before the statement runs), and with
    ``writes`` a read-only session refuses, as it refuses the ORM's writes."""
    if writes and session.info.get("read_only"):
        raise ReadOnlySessionError("a read-only (GET) request tried to write; use writable()")
    if session.autoflush:
        session.flush()
    return session.connection()


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
