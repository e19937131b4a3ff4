"""The cache's SQLite schema. A new ``SCHEMA_VERSION`` throws the old cache away (it is a copy)."""

from __future__ import annotations

from app.cache import follow_ups
from app.cache.rows import COLUMNS, FINGERPRINT, NUMBERS

# The layout's own version, and the wire's columns: either changing starts a fresh cache.
LAYOUT_VERSION = 2
SCHEMA_VERSION = LAYOUT_VERSION * 0x1000000 + FINGERPRINT

_TYPES = {**dict.fromkeys(NUMBERS, "INTEGER"), "id": "INTEGER PRIMARY KEY"}

STATEMENTS: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS customer ("
    + ", ".join(f"{c} {_TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    + ")",
    # Every other entity of the changes feed, kept as its JSON for the panels that want it.
    "CREATE TABLE IF NOT EXISTS record ("
    "entity TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (entity, id))",
    # The follow-up inbox's own columns, and what was notified (see app.cache.follow_ups).
    *follow_ups.STATEMENTS,
)

_NAMES = ", ".join(COLUMNS)
_MARKS = ", ".join("?" for _ in COLUMNS)
# Column names are fixed constants, never user input.
UPSERT_CUSTOMER = f"INSERT OR REPLACE INTO customer ({_NAMES}) VALUES ({_MARKS})"  # noqa: S608
# The same without its values, for many rows per statement (``app.cache.bulk``).
UPSERT_CUSTOMERS = f"INSERT OR REPLACE INTO customer ({_NAMES}) VALUES"
UPSERT_RECORDS = "INSERT OR REPLACE INTO record VALUES"
SELECT_CUSTOMERS = f"SELECT {', '.join(COLUMNS)} FROM customer"  # noqa: S608
