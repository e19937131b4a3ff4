"""The cache's files: private on disk, read in one go by another process, removed whole."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from app.cache.rows import COLUMNS
from app.cache.schema import SELECT_CUSTOMERS


class PageOutOfOrder(RuntimeError):
    """A page started from another cursor than the cache's: an earlier page was not written."""


def make_private(path: Path) -> None:
    """Create ``path`` if needed, readable and writable by this user only (it holds customers'
    names, emails, phones and addresses); SQLite gives its -wal and -shm files the same mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def remove_cache_files(path: Path) -> None:
    """Delete a cache database and everything kept beside it (journal, saved index)."""
    for suffix in ("", "-wal", "-shm", "-journal", ".index"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def read_customer_columns(path: Path) -> tuple[str, dict[str, list[Any]]]:
    """Every customer of a cache file as one list per column (id order), and its generation.

    Both come from one read transaction, so the generation is exactly that of the rows.
    Per-column lists cost no tuple per row; rows stream in chunks, so a loader thread lets
    the UI thread run between them. Opens its own connection: callable from another process.
    """
    # Read-only: a cache removed meanwhile (signed out) is an error here, not created anew.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", isolation_level=None, uri=True)
    lists: list[list[Any]] = [[] for _ in COLUMNS]
    try:
        conn.execute("BEGIN")
        row = conn.execute("SELECT value FROM meta WHERE key = 'customers'").fetchone()
        cursor = conn.execute(SELECT_CUSTOMERS + " ORDER BY id")
        while chunk := cursor.fetchmany(5000):
            for values, column in zip(zip(*chunk, strict=True), lists, strict=True):
                column.extend(values)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return ("0" if row is None else str(row[0])), dict(zip(COLUMNS, lists, strict=True))


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
