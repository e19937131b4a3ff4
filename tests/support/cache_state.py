"""What a console cache holds, for comparing one with a clean full sync."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app.cache.schema import SELECT_CUSTOMERS


def cache_contents(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every customer row and every other record of a cache file, in key order."""
    conn = sqlite3.connect(str(path))
    try:
        customers = conn.execute(SELECT_CUSTOMERS + " ORDER BY id").fetchall()
        records = conn.execute("SELECT entity, id, data FROM record ORDER BY entity, id").fetchall()
    finally:
        conn.close()
    return customers, records


def cursor_and_ids(path: Path) -> tuple[str, set[int], bool]:
    """The cursor, the customer ids and whether a snapshot completed, read in one transaction."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("BEGIN")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        ids = {int(r[0]) for r in conn.execute("SELECT id FROM customer")}
        conn.execute("COMMIT")
    finally:
        conn.close()
    return str(meta.get("cursor", "0")), ids, meta.get("complete") == "1"
