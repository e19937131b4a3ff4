"""The event loop's own few PostgreSQL connections, for the portal's session check.

A portal page answered from memory still checks its session in the database: one narrow row,
read on the event loop so that the page needs no trip to a worker thread. Through
SQLAlchemy's async engine that read cost 0.41 ms of the worker's CPU per page (a connection
checked out of the pool through a greenlet, an execution context, a result); on psycopg's own
async connection 0.16 ms, and on asyncpg's 0.10 ms (the same statement and rows, measured in
one process): most of what such a page costs on top of its rendering. So these reads hold a few
asyncpg connections themselves and run ``CompiledSelect`` statements straight on them, compiled
by SQLAlchemy's asyncpg dialect (its ``$1`` parameters and result processing); JSON documents
are decoded by the connection, as that dialect's own connections do.

Every statement is prepared (asyncpg keeps each connection's statements) and runs its
generic plan (``plan_cache_mode``, as ``engine`` sets): only the portal's narrow lookups marked
``prepared`` are run here, whose plans cannot depend on their values. No read opens a
transaction, so none is held between reads.

A read that fails (the server restarted, the connection dropped) answers None, and the
connection is closed, not reused: the caller then reads as it would without these (on a
worker thread, through the engine's pool, which recovers by itself). Nothing is retried
here, so a database that is down costs a page one failed read (a connection refused at once,
or ``CONNECT_TIMEOUT_S`` at most), not a series of waits.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy import Dialect, make_url

from server.db.compiled import CompiledSelect
from server.db.engine import PG_SETTINGS

# Idle connections kept; more are opened while more reads run at once, up to BUSY_AT_MOST,
# then closed. A read beyond that answers None (the caller reads on a worker thread, through
# the engine's bounded pool), so a burst never opens more connections than this.
KEPT = 4
BUSY_AT_MOST = 16
CONNECT_TIMEOUT_S = 5
# What a read can fail with: the server's errors, a connection that is gone or refused, a
# connection that timed out.
_FAILED = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


class LoopReads:
    """Reads on the event loop through asyncpg's connections (PostgreSQL only)."""

    def __init__(self, url: str, *, kept: int = KEPT, busy_at_most: int = BUSY_AT_MOST) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise ValueError("reads on the event loop are for PostgreSQL only")
        # The asyncpg dialect: the same compiled SQL and result processing as an async engine
        # of this URL (UTC times; JSON documents are decoded by the connection, see _connect).
        self.dialect: Dialect = parsed.set(drivername="postgresql+asyncpg").get_dialect(
            _is_async=True
        )()
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._kept = kept
        self._busy_at_most = busy_at_most
        self._busy = 0
        self._idle: list[asyncpg.Connection[Any]] = []
        self._closed = False

    async def rows(
        self, statement: CompiledSelect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]] | None:
        """The statement's rows for ``params``; None when the database could not answer
        or every connection is busy. Only statements marked ``prepared`` (see the module's
        docstring)."""
        if not statement.prepared:
            raise ValueError("only statements marked prepared are read on the event loop")
        if self._closed or self._busy >= self._busy_at_most:
            return None
        self._busy += 1
        try:
            return await self._read(statement, params)
        finally:
            self._busy -= 1

    async def _read(
        self, statement: CompiledSelect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]] | None:
        try:
            conn = self._idle.pop() if self._idle else await self._connect()
        except _FAILED:
            return None
        try:
            found = await statement.rows_async(self.dialect, conn, params)
        except _FAILED:
            conn.terminate()
            return None
        except BaseException:  # cancelled mid-read: the connection's state is unknown
            conn.terminate()
            raise
        if self._closed or len(self._idle) >= self._kept or conn.is_closed():
            await conn.close()
        else:
            self._idle.append(conn)
        return found

    async def _connect(self) -> asyncpg.Connection[Any]:
        conn: asyncpg.Connection[Any] = await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT_S, server_settings=PG_SETTINGS
        )
        try:
            # JSON documents decoded as the asyncpg dialect's connections decode them.
            for kind in ("json", "jsonb"):
                await conn.set_type_codec(
                    kind, schema="pg_catalog", encoder=json.dumps, decoder=json.loads
                )
        except BaseException:
            conn.terminate()
            raise
        return conn

    def __len__(self) -> int:
        """Idle connections held."""
        return len(self._idle)

    async def close(self) -> None:
        """Close every idle connection; reads after this answer None."""
        self._closed = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(conn.close() for conn in idle), return_exceptions=True)
