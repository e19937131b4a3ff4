"""The local cache of one server and workspace: customer rows, other records and the sync cursor.

One SQLite file per server and workspace. A page of changes and the cursor after it are written
in one transaction, so a kill at any moment leaves rows and cursor that agree. During a full
resync the old rows stay readable; rows the fresh snapshot did not mention are removed in the
transaction of its last page.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from app.cache import follow_ups, page_rows
from app.cache.bulk import insert_rows
from app.cache.files import (
    PageOutOfOrder,
    Transaction,
    make_private,
    read_customer_columns,
    remove_cache_files,
)
from app.cache.rows import COLUMNS, NUMBERS, CachedCustomer, row_from_wire
from app.cache.schema import (
    SCHEMA_VERSION,
    SELECT_CUSTOMERS,
    STATEMENTS,
    UPSERT_CUSTOMER,
    UPSERT_CUSTOMERS,
    UPSERT_RECORDS,
)

__all__ = [
    "COLUMNS",
    "Cache",
    "CachedCustomer",
    "PageOutOfOrder",
    "PageSummary",
    "read_customer_columns",
    "remove_cache_files",
]

log = logging.getLogger(__name__)

_UNIQUE_TEXTS = frozenset({"external_id", "phone", "address", "primary_email"})

CustomersListener = Callable[[set[int]], None]
RecordsListener = Callable[[str, set[int]], None]


@dataclass
class PageSummary:
    """What one written page changed: customer ids, other records by entity, rows written."""

    customer_ids: set[int] = field(default_factory=set)
    records: dict[str, set[int]] = field(default_factory=dict)
    rows: int = 0
    removed_by_resync: int = 0
    next_cursor: str = "0"
    has_more: bool = False


class Cache:
    """A SQLite copy of the server's customers and records, safe to use from a worker thread."""

    def __init__(self, path: Path | str, *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        make_private(self.path)
        # Writes (the sync's worker thread) and reads (the UI) use separate connections: in
        # WAL mode a reader never waits for a writer, so the UI never waits for a sync page.
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=busy_timeout
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # A full sync writes some 160 MiB: copying the log into the file every 4 MiB (the
        # default) made some 40 checkpoints, each waiting for two fsyncs. Every 40 MiB is a
        # handful; a commit is as atomic and durable as before (the log holds it), and the
        # log is cut back to 8 MiB after a checkpoint rather than keeping its largest size.
        self._conn.execute("PRAGMA wal_autocheckpoint=10000")
        self._conn.execute("PRAGMA journal_size_limit=8388608")
        self._read_lock = threading.RLock()
        self._reader = self._connect_reader()
        self.closed = False  # set by ``close``: a timer that fires after it reads nothing
        self._customer_listeners: list[CustomersListener] = []
        self._record_listeners: list[RecordsListener] = []
        self._migrate()

    # -- setup -----------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                log.info("cache schema %s is outdated; starting a fresh cache", version)
                for table in ("meta", "customer", "record", "resync_seen"):
                    self._conn.execute(f"DROP TABLE IF EXISTS {table}")
                self.forget_index()
            for statement in STATEMENTS:
                self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _connect_reader(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)

    def close(self) -> None:
        """Close the database file."""
        self.closed = True
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._conn.close()

    # -- listeners -------------------------------------------------------------------------

    def on_customers_changed(self, callback: CustomersListener) -> Callable[[], None]:
        """Call ``callback(ids)`` after customers were written; returns a function to unhook."""
        self._customer_listeners.append(callback)
        return lambda: self._customer_listeners.remove(callback)

    def on_records_changed(self, callback: RecordsListener) -> Callable[[], None]:
        """Call ``callback(entity, ids)`` after other records were written."""
        self._record_listeners.append(callback)
        return lambda: self._record_listeners.remove(callback)

    def notify(self, summary: PageSummary) -> None:
        """Tell the listeners what a written page changed (call on the UI thread)."""
        if summary.customer_ids:
            for listener in list(self._customer_listeners):
                listener(set(summary.customer_ids))
        for entity, ids in summary.records.items():
            for record_listener in list(self._record_listeners):
                record_listener(entity, set(ids))

    # -- reading ---------------------------------------------------------------------------

    @property
    def cursor(self) -> str:
        """Where the next sync continues the changes feed (``"0"``: from the beginning)."""
        return self._meta("cursor") or "0"

    @property
    def resyncing(self) -> bool:
        """A full resync started and has not finished yet."""
        return self._meta("resync") == "1"

    @property
    def synced_once(self) -> bool:
        """At least one complete snapshot has been written."""
        return self._meta("complete") == "1"

    def _meta(self, key: str) -> str | None:
        with self._read_lock:
            row = self._reader.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def index_path(self) -> Path:
        """Where the Access panel keeps its saved search index of these customers."""
        return self.path.with_name(self.path.name + ".index")

    @property
    def customers_generation(self) -> str:
        """Changes whenever customer rows are written: what a saved index is checked against."""
        return self._meta("customers") or "0"

    def customer_columns(self) -> tuple[str, dict[str, list[Any]]]:
        """Every cached customer as one list per column, with its generation (see below)."""
        return read_customer_columns(self.path)

    def customer_rows(self) -> list[CachedCustomer]:
        """Every cached customer, in id order (about 0.8 s and 60 MiB per 100,000 rows).

        Rows are built while the cursor streams (no intermediate list), and repeated strings
        (kind, status, times, common names) share one object: about 40% less memory.
        """
        share: dict[Any, Any] = {}
        s = share.setdefault
        make = CachedCustomer._make
        # Values unique to a row (emails, phones) gain nothing from sharing.
        shared = [c not in NUMBERS and c not in _UNIQUE_TEXTS for c in COLUMNS]
        # Its own connection: a long read on a loader thread holds up no other reader.
        conn = self._connect_reader()
        try:
            cursor = conn.execute(SELECT_CUSTOMERS + " ORDER BY id")
            return [
                make([s(v, v) if share_it else v for v, share_it in zip(row, shared, strict=True)])
                for row in cursor
            ]
        finally:
            conn.close()

    def customer_count(self) -> int:
        """How many customers are cached."""
        with self._read_lock:
            return int(self._reader.execute("SELECT count(*) FROM customer").fetchone()[0])

    def get_customer(self, customer_id: int) -> CachedCustomer | None:
        """One cached customer, or None."""
        with self._read_lock:
            row = self._reader.execute(
                SELECT_CUSTOMERS + " WHERE id = ?", (int(customer_id),)
            ).fetchone()
        return None if row is None else CachedCustomer._make(row)

    def get_customers(self, ids: Iterable[int]) -> list[CachedCustomer]:
        """The cached customers among ``ids`` (missing ones left out), in one query."""
        wanted = [int(i) for i in ids]
        found: list[CachedCustomer] = []
        with self._read_lock:
            for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
                part = wanted[i : i + 500]
                marks = ", ".join("?" * len(part))
                found += map(
                    CachedCustomer._make,
                    self._reader.execute(SELECT_CUSTOMERS + f" WHERE id IN ({marks})", part),
                )
        return found

    def get_record(self, entity: str, record_id: int) -> dict[str, Any] | None:
        """The latest JSON of another entity's record (``workspace``, ``branding``...)."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT data FROM record WHERE entity = ? AND id = ?", (entity, int(record_id))
            ).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))

    def records(self, entity: str) -> list[dict[str, Any]]:
        """Every cached record of one entity."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT data FROM record WHERE entity = ? ORDER BY id", (entity,)
            ).fetchall()
        return [dict(orjson.loads(r[0])) for r in rows]

    # -- writing ---------------------------------------------------------------------------

    def apply(self, page: Mapping[str, Any]) -> PageSummary:
        """Write a page of changes and its cursor in one transaction, then tell the listeners."""
        summary = self.write(page)
        self.notify(summary)
        return summary

    def write_json(self, body: bytes | memoryview, since: str | None = None) -> PageSummary:
        """Decode a page of the changes feed and write it (both off the UI thread); see
        ``write``. Records are stored as the JSON the server sent (``page_json.from_json``)."""
        from app.cache import page_json  # the writer's alone: kept out of the console's start

        return self._store(page_json.from_json(body), since)

    def write(self, page: Mapping[str, Any], since: str | None = None) -> PageSummary:
        """Write a page of changes and its ``next_cursor`` in one transaction (no listeners).

        ``since`` is the cursor the page was fetched from: the page is written only if the
        cache's cursor is still that one, so a page never lands after an earlier page failed
        (``PageOutOfOrder``, nothing written). Safe to call from a worker thread; call
        ``notify`` with the result on the UI thread.
        """
        return self._store(page_rows.from_page(page), since)

    def _store(self, rows: page_rows.PageRows, since: str | None) -> PageSummary:
        summary = PageSummary(
            customer_ids=rows.customer_ids,
            records=rows.records,
            rows=rows.count,
            next_cursor=rows.next_cursor,
            has_more=rows.has_more,
        )
        finishing = self.resyncing and not rows.has_more
        with self._lock, self._transaction():
            c = self._conn
            stored = self._meta_in_tx("cursor") or "0"
            if since is not None and stored != since:
                raise PageOutOfOrder(
                    f"a page from cursor {since} does not follow the cache's cursor {stored}"
                )
            if rows.upserts:
                insert_rows(c, UPSERT_CUSTOMERS, rows.upserts, len(COLUMNS))
            if rows.deletes:
                c.executemany("DELETE FROM customer WHERE id = ?", rows.deletes)
            if rows.record_upserts:
                insert_rows(c, UPSERT_RECORDS, rows.record_upserts, 3)
            if rows.record_deletes:
                c.executemany("DELETE FROM record WHERE entity = ? AND id = ?", rows.record_deletes)
            if rows.inbox or rows.inbox_gone:
                follow_ups.write_rows(c, rows.inbox, rows.inbox_gone)
            if self._meta_in_tx("resync") == "1":
                self._track_resync(summary, rows.upserts, rows.record_upserts, finishing)
            if summary.customer_ids:
                self._bump_generation()
            self._set_meta("cursor", rows.next_cursor)
            if not rows.has_more:
                self._set_meta("complete", "1")
        return summary

    def _track_resync(
        self,
        summary: PageSummary,
        upserts: list[tuple[Any, ...]],
        record_upserts: list[tuple[str, int, Any]],
        finishing: bool,
    ) -> None:
        c = self._conn
        seen = [("customer", u[0]) for u in upserts]
        seen += [(r[0], r[1]) for r in record_upserts]
        insert_rows(c, "INSERT OR IGNORE INTO resync_seen VALUES", seen, 2)
        if not finishing:
            return
        gone = [
            int(r[0])
            for r in c.execute(
                "SELECT id FROM customer WHERE id NOT IN "
                "(SELECT id FROM resync_seen WHERE entity = 'customer')"
            )
        ]
        c.executemany("DELETE FROM customer WHERE id = ?", ((i,) for i in gone))
        summary.customer_ids.update(gone)
        summary.removed_by_resync = len(gone)
        c.execute(
            "DELETE FROM record WHERE NOT EXISTS (SELECT 1 FROM resync_seen s "
            "WHERE s.entity = record.entity AND s.id = record.id)"
        )
        follow_ups.drop_unseen(c)
        c.execute("DROP TABLE resync_seen")
        self._set_meta("resync", "0")

    def begin_resync(self) -> None:
        """Start over from cursor 0, keeping the old rows readable until the snapshot is in."""
        with self._lock, self._transaction():
            self._conn.execute("DROP TABLE IF EXISTS resync_seen")
            self._conn.execute(
                "CREATE TABLE resync_seen (entity TEXT NOT NULL, id INTEGER NOT NULL, "
                "PRIMARY KEY (entity, id))"
            )
            self._set_meta("resync", "1")
            self._set_meta("cursor", "0")

    def clear(self) -> None:
        """Forget everything (rows, records and cursor); listeners hear of every removed id."""
        with self._lock, self._transaction():
            ids = {int(r[0]) for r in self._conn.execute("SELECT id FROM customer")}
            for table in ("customer", "record", "meta"):
                self._conn.execute(f"DELETE FROM {table}")  # noqa: S608  (fixed names)
            self._conn.execute("DROP TABLE IF EXISTS resync_seen")
            follow_ups.clear(self._conn)
        self.forget_index()
        self.notify(PageSummary(customer_ids=ids))

    def put_customers(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Store customers fetched outside the feed; listeners hear. Blocks while a sync page
        is written: from the UI thread use ``store_customers``."""
        self.notify(self._put(rows))

    async def store_customers(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """``put_customers`` with the write on a worker thread (it may wait for a sync page's
        transaction); listeners hear on the caller's thread once it is stored."""
        self.notify(await asyncio.to_thread(self._put, list(rows)))

    def _put(self, rows: Iterable[Mapping[str, Any]]) -> PageSummary:
        values = [row_from_wire(r) for r in rows]
        with self._lock, self._transaction():
            self._conn.executemany(UPSERT_CUSTOMER, values)
            self._bump_generation()
        return PageSummary(customer_ids={int(v[0]) for v in values})

    # -- helpers ---------------------------------------------------------------------------

    def _meta_in_tx(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _bump_generation(self) -> None:
        self._conn.execute(
            "INSERT INTO meta VALUES ('customers', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def forget_index(self) -> None:
        """Delete the saved search index (the rows it was built from are gone)."""
        self.index_path.unlink(missing_ok=True)

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _transaction(self) -> Transaction:
        return Transaction(self._conn)
