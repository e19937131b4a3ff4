"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database.

The PostgreSQL server is chosen (or started) by ``tests.support.pg_cluster``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from server.db import migrate
from server.db.engine import make_engine
from tests.support.pg_cluster import admin_url

BACKENDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def temporary_database(backend: str, folder: Path) -> Iterator[str]:
    """Yield a SQLAlchemy URL of an empty database that is removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'portal.sqlite3'}"
        return
    name = f"toolbag_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def migrated_engine(backend: str, folder: Path, *, pool_size: int = 1) -> Iterator[Engine]:
    """An engine on a throw-away database at the newest migration, disposed afterwards."""
    with temporary_database(backend, folder) as url:
        engine = make_engine(url, pool_size=pool_size)
        try:
            migrate.upgrade(engine)
            yield engine
        finally:
            engine.dispose()
