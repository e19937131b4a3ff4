"""A live portal server on SQLite for the console tests, and ways to fill it quickly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from server.app import create_app
from server.db import migrate
from server.db.models import Change, Customer, Workspace
from server.domain.changes import record_change
from server.settings import Settings
from tests.support.live_server import free_port, serve_in_thread


@dataclass
class LiveServer:
    """A migrated SQLite database and a uvicorn server on it."""

    url: str
    app: FastAPI

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        """Direct database access for arranging and checking rows."""
        factory: sessionmaker[Session] = self.app.state.sessionmaker
        return factory


@contextlib.contextmanager
def live_sqlite_server(folder: Path) -> Iterator[LiveServer]:
    """Serve a fresh SQLite database until the block ends."""
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'portal.sqlite3'}",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings)
    migrate.upgrade(app.state.engine)
    with serve_in_thread(app, port) as base:
        yield LiveServer(base, app)
    app.state.engine.dispose()


def add_customers(factory: sessionmaker[Session], workspace_id: int, count: int) -> list[int]:
    """Insert ``count`` customers with one change row each, in bulk; returns their ids."""
    now = datetime.now(UTC)
    rows = [
        {
            "workspace_id": workspace_id,
            "name": f"Customer {i:06d}",
            "sort_name": f"customer {i:06d}",
            "kind": "household" if i % 3 else "company",
            "phone": f"555-{i % 10000:04d}",
            "search_text": f"customer {i:06d}",
            "primary_email": f"c{i}@example.com",
            "access_status": "not_invited",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with factory() as session:
        before = session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0
        for start in range(0, count, 5000):
            session.execute(insert(Customer), rows[start : start + 5000])
        session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
        query = (
            select(
                Customer.workspace_id,
                literal("customer"),
                Customer.id,
                literal("upsert"),
                literal(now),
            )
            .where(Customer.workspace_id == workspace_id, Customer.id > before)
            .order_by(Customer.id)
        )
        session.execute(
            insert(Change).from_select(
                ["workspace_id", "entity", "entity_id", "op", "changed_at"], query
            )
        )
        ids = list(
            session.scalars(
                select(Customer.id).where(
                    Customer.workspace_id == workspace_id, Customer.id > before
                )
            )
        )
        session.commit()
    return ids


def rename_customer(factory: sessionmaker[Session], workspace_id: int, customer_id: int, name: str):
    """Change one customer the way a domain service would: the row and its change together."""
    with factory() as session:
        session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(name=name, sort_name=name.lower(), version=Customer.version + 1)
        )
        record_change(session, workspace_id, "customer", customer_id, "upsert")
        session.commit()


def delete_customer(factory: sessionmaker[Session], workspace_id: int, customer_id: int) -> None:
    """Delete one customer and record its tombstone."""
    with factory() as session:
        session.execute(Customer.__table__.delete().where(Customer.id == customer_id))
        record_change(session, workspace_id, "customer", customer_id, "delete")
        session.commit()


def expire_cursors(factory: sessionmaker[Session], workspace_id: int) -> None:
    """Make every cursor but 0 too old, as pruning tombstones would (the feed answers 410)."""
    with factory() as session:
        top = session.scalar(
            select(Change.seq)
            .where(Change.workspace_id == workspace_id)
            .order_by(Change.seq.desc())
            .limit(1)
        )
        session.execute(
            update(Workspace).where(Workspace.id == workspace_id).values(changes_horizon=top or 1)
        )
        session.commit()


@dataclass
class ServerProcess:
    """A ``portal-server serve`` child process on a SQLite file the test can also write."""

    url: str
    sessionmaker: sessionmaker[Session]


@contextlib.contextmanager
def server_process(folder: Path) -> Iterator[ServerProcess]:
    """Serve ``folder``'s database from another process (no GIL shared with the test)."""
    import subprocess
    import sys
    import time

    import httpx

    from server.db.engine import make_engine, make_sessionmaker

    port = free_port()
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--data-dir",
            str(folder),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server process did not start")
            time.sleep(0.1)
        engine = make_engine(f"sqlite:///{(folder / 'portal.sqlite3').resolve()}")
        yield ServerProcess(url, make_sessionmaker(engine))
        engine.dispose()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class RestartableServer:
    """``portal-server serve`` on one data folder and port, killed and started again at will
    (the fault tests kill it with SIGKILL mid-sync, as a crash or power cut would). Each
    server is forked from a warm parent (``tests.support.server_zygote``)."""

    def __init__(self, folder: Path) -> None:
        import subprocess
        import sys

        from server.db.engine import make_engine, make_sessionmaker

        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = (folder / "server.log").open("ab")
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.support.server_zygote", str(folder), str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.pid: int | None = None
        self.start()
        self.engine = make_engine(f"sqlite:///{(folder / 'portal.sqlite3').resolve()}")
        self.sessionmaker = make_sessionmaker(self.engine)

    def start(self) -> None:
        """Start the server and wait until it answers ``/healthz``."""
        import time

        import httpx

        assert self._zygote.stdin is not None and self._zygote.stdout is not None
        self._zygote.stdin.write("serve\n")
        self._zygote.stdin.flush()
        self.pid = int(self._zygote.stdout.readline())
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not self._alive():
                raise RuntimeError("the server process did not start")
            time.sleep(0.02)

    def _alive(self) -> bool:
        import os

        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """End the server at once (SIGKILL): no answer in flight is finished."""
        import os
        import signal
        import time

        if self.pid is not None and self._alive():
            os.kill(self.pid, signal.SIGKILL)
            while self._alive():
                time.sleep(0.005)
        self.pid = None

    def close(self) -> None:
        """Stop the server and its parent for good."""
        self.kill()
        if self._zygote.stdin is not None:
            self._zygote.stdin.close()
        self._zygote.wait(10)
        if self._zygote.stdout is not None:
            self._zygote.stdout.close()
        self.engine.dispose()
        self._log.close()
