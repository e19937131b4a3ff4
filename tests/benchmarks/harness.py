"""Seeded servers for benchmarks: a temp database per backend, a demo seed, a real server.

The server is a separate ``portal-server serve`` process (its own interpreter, so the
measuring client does not share a GIL with it), on 127.0.0.1 and a free port, with its log
going to a file as in production. Servers are created on first use and shared by every
benchmark module of the run; ``close_all`` stops them and drops the databases.

``PORTAL_BENCH_CUSTOMERS`` sets the size (default 100,000) for a quick trial run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

from server.db import migrate
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import StaffUser, Workspace
from server.demo.seed import seed_demo, staff_email
from server.domain.staff import issue_token_for
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port

CUSTOMERS = int(os.environ.get("PORTAL_BENCH_CUSTOMERS", "100000"))
SLUG = "bench"
SEED_TARGET_S = 60.0

_stack = contextlib.ExitStack()
_servers: dict[str, LiveServer] = {}


@dataclass
class LiveServer:
    """A seeded database, a server process on it, and an owner's bearer token."""

    backend: str
    url: str
    database_url: str
    workspace_id: int
    token: str
    customers: int
    seed_seconds: float
    seed_report: str

    def client(self) -> httpx.Client:
        """A keep-alive client signed in as the workspace owner."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=120
        )

    def driver(self) -> Any:
        """A bare DBAPI connection (sqlite3 or psycopg) to the same database."""
        if self.backend == "sqlite":
            import sqlite3

            return sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
        # No automatic server-side prepares: after five runs psycopg would prepare a statement
        # and PostgreSQL may then switch to a generic plan, slower for some search terms by
        # an order of magnitude. The baseline is the plain query, planned for its values.
        return psycopg.connect(
            self.database_url.replace("+psycopg", ""), autocommit=True, prepare_threshold=None
        )


def as_installed(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a console started as an installed one is: with its bytecode caches.

    An environment that forbids writing them (``PYTHONDONTWRITEBYTECODE``) would compile every
    module of the project at every start, which no installed console (a wheel, the bundle)
    does; a first, unmeasured start writes them.
    """
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seeded_server(backend: str) -> LiveServer:
    """The run's seeded server on ``backend`` (``sqlite`` or ``postgresql``)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend}")
    if backend not in _servers:
        _servers[backend] = _start(backend)
    return _servers[backend]


def _start(backend: str) -> LiveServer:
    folder = Path(_stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-")))
    url = _stack.enter_context(temporary_database(backend, folder))
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with make_sessionmaker(engine)() as session:
            started = time.perf_counter()
            text = seed_demo(session, slug=SLUG, customers=CUSTOMERS, seed=1)
            seconds = time.perf_counter() - started
            ws_id = session.scalar(select(Workspace.id).where(Workspace.slug == SLUG))
            owner = session.scalar(
                select(StaffUser).where(StaffUser.email == staff_email("owner", SLUG))
            )
            assert ws_id is not None and owner is not None
            token = issue_token_for(session, owner, 12).token
    finally:
        engine.dispose()
    port = free_port()
    log = (folder / "server.log").open("w")
    _stack.callback(log.close)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--database-url", url, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    _stack.callback(_stop, proc)
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(base, proc, folder / "server.log")
    return LiveServer(backend, base, url, ws_id, token, CUSTOMERS, seconds, text)


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def close_all() -> None:
    """Stop every server and drop every database of this run."""
    _servers.clear()
    _stack.close()
