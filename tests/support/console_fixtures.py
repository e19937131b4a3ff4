"""Fixtures shared by the console tests (tests/app and tests/ui import them in conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app import paths
from tests.support.console_server import LiveServer, live_sqlite_server
from tests.support.memory_keyring import MemoryKeyring
from tests.support.workspaces import TestWorkspace, make_workspace


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live portal server on SQLite for the whole run."""
    with live_sqlite_server(tmp_path_factory.mktemp("console-db")) as server:
        yield server


@pytest.fixture
def ws(live: LiveServer) -> Iterator[TestWorkspace]:
    """A fresh active workspace with an owner, a manager and a dispatcher."""
    w = make_workspace(live.sessionmaker, live.url)
    yield w
    w.close()


@pytest.fixture
def coming_soon_ws(live: LiveServer) -> Iterator[TestWorkspace]:
    """A fresh workspace whose portal is not live yet."""
    w = make_workspace(live.sessionmaker, live.url, portal_status="coming_soon")
    yield w
    w.close()


@pytest.fixture(autouse=True)
def console_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every console folder (config, data, cache, logs) under this test's temp folder."""
    home = tmp_path / "console-home"
    monkeypatch.setenv(paths.ROOT_ENV, str(home))
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A working in-memory keyring for this test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
