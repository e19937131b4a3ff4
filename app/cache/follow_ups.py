"""The follow-up inbox in the cache: one indexed row per item, and what was already notified.

Items arrive on the changes feed as entity ``follow_up`` (their JSON is kept in ``record`` like
every other entity). Here each also gets a narrow row with the columns the inbox filters and
shows, so the panel reads 100,000 items as a few columns instead of decoding 100,000 JSON
documents. The row is written in the transaction of the page that brought the item, so a
replayed page (a resync) rewrites the same row: no duplicates.

What was notified lives in tables of its own that neither a resync nor a fresh cache schema
removes (the notifier must not tell anyone again about an item it told them of before).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

ENTITY = "follow_up"

STATEMENTS: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS follow_up ("
    "id INTEGER PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, happened REAL NOT NULL, "
    "customer_id INTEGER, assignee_id INTEGER, title TEXT NOT NULL, customer TEXT NOT NULL, "
    "assignee TEXT NOT NULL, search TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS follow_up_order ON follow_up (happened DESC, id DESC)",
    # Kept across resyncs and schema changes (never dropped by the cache's own migration).
    "CREATE TABLE IF NOT EXISTS follow_up_notified (id INTEGER PRIMARY KEY, at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS follow_up_notify_meta (key TEXT PRIMARY KEY, value TEXT)",
)

# The inbox's columns in load order (see ``app.follow_up_index``).
INDEX_COLUMNS = (
    "id",
    "kind",
    "state",
    "happened",
    "customer_id",
    "assignee_id",
    "title",
    "customer",
    "assignee",
    "search",
)
SELECT_INDEX = f"SELECT {', '.join(INDEX_COLUMNS)} FROM follow_up ORDER BY happened DESC, id DESC"  # noqa: S608
# The newest items of one state: the first screenful, shown before the whole inbox is read.
SELECT_NEWEST = f"SELECT {', '.join(INDEX_COLUMNS)} FROM follow_up WHERE state = ? ORDER BY happened DESC, id DESC LIMIT ?"  # noqa: E501, S608
_UPSERT = f"INSERT OR REPLACE INTO follow_up ({', '.join(INDEX_COLUMNS)}) VALUES ({', '.join('?' * len(INDEX_COLUMNS))})"  # noqa: E501, S608


def epoch(moment: str | None) -> float:
    """Seconds since 1970 of an ISO-8601 time from the wire (0 when missing or unreadable)."""
    if not moment:
        return 0.0
    try:
        return datetime.fromisoformat(moment).timestamp()
    except ValueError:
        return 0.0


def index_row(data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The inbox columns of one ``FollowUpOut`` JSON object."""
    title = str(data.get("title") or "")
    customer = str(data.get("customer_name") or "")
    contact = str(data.get("contact_name") or "")
    assignee = str(data.get("assignee_name") or "")
    return (
        int(data["id"]),
        str(data["kind"]),
        str(data["state"]),
        epoch(data.get("happened_at")),
        data.get("customer_id"),
        data.get("assignee_id"),
        title,
        customer,
        assignee,
        # One lower-cased text per item: a search is one substring test per row.
        f"{title}\n{customer}\n{contact}".casefold(),
    )


def write_rows(
    conn: sqlite3.Connection, upserts: Iterable[Mapping[str, Any]], deletes: Iterable[int]
) -> None:
    """Store and remove inbox rows (inside the caller's transaction)."""
    conn.executemany(_UPSERT, [index_row(d) for d in upserts])
    conn.executemany("DELETE FROM follow_up WHERE id = ?", [(int(i),) for i in deletes])


def drop_unseen(conn: sqlite3.Connection) -> None:
    """After a full resync: remove the rows whose record the snapshot no longer holds."""
    conn.execute(
        f"DELETE FROM follow_up WHERE id NOT IN (SELECT id FROM record WHERE entity = '{ENTITY}')"  # noqa: S608  (a constant)
    )


def clear(conn: sqlite3.Connection) -> None:
    """Forget every inbox row (the notified ids stay)."""
    conn.execute("DELETE FROM follow_up")


# -- notified ids ------------------------------------------------------------------------------


def notified_among(conn: sqlite3.Connection, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` were notified before."""
    wanted = [int(i) for i in ids]
    found: set[int] = set()
    for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        part = wanted[i : i + 500]
        marks = ", ".join("?" * len(part))
        found.update(
            int(r[0])
            for r in conn.execute(
                f"SELECT id FROM follow_up_notified WHERE id IN ({marks})",  # noqa: S608
                part,
            )
        )
    return found


def mark_notified(conn: sqlite3.Connection, ids: Iterable[int], at: float) -> None:
    """Remember that ``ids`` were notified (or deliberately not: quiet hours, history)."""
    conn.executemany(
        "INSERT OR IGNORE INTO follow_up_notified VALUES (?, ?)", [(int(i), at) for i in ids]
    )


def notify_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """One value the notifier keeps (such as when it started watching)."""
    row = conn.execute("SELECT value FROM follow_up_notify_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_notify_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Keep one value for the notifier."""
    conn.execute("INSERT OR REPLACE INTO follow_up_notify_meta VALUES (?, ?)", (key, value))


def open_counts(path: Path | str) -> dict[str, int]:
    """Open items per kind in a cache file, plus ``"all"`` (its own read-only connection)."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        rows = conn.execute(
            "SELECT kind, count(*) FROM follow_up WHERE state = 'open' GROUP BY kind"
        ).fetchall()
    finally:
        conn.close()
    counts = {str(kind): int(n) for kind, n in rows}
    counts["all"] = sum(counts.values())
    return counts


def records(conn: sqlite3.Connection, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The JSON of the follow-up items among ``ids`` that the cache holds."""
    wanted = [int(i) for i in ids]
    out: list[dict[str, Any]] = []
    for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        part = wanted[i : i + 500]
        marks = ", ".join("?" * len(part))
        out += [
            dict(orjson.loads(r[0]))
            for r in conn.execute(
                f"SELECT data FROM record WHERE entity = ? AND id IN ({marks})",  # noqa: S608
                [ENTITY, *part],
            )
        ]
    return out
