"""Server test fixtures: every test runs on SQLite and on PostgreSQL, against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from server.app import create_app
from server.db import migrate
from server.settings import Settings
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.databases import BACKENDS, temporary_database
from tests.support.live_server import free_port, serve_in_thread
from tests.support.workspaces import TestWorkspace, make_workspace


@dataclass
class Server:
    """A migrated database and a live server on it."""

    backend: str
    url: str
    app: FastAPI
    database_url: str

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        """Direct database access for arranging and checking rows."""
        factory: sessionmaker[Session] = self.app.state.sessionmaker
        return factory


@pytest.fixture(scope="session", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One live server per database backend for the whole run."""
    backend: str = request.param
    folder = tmp_path_factory.mktemp(f"db-{backend}")
    with temporary_database(backend, folder) as url:
        port = free_port()
        settings = Settings(
            database_url=url,
            public_base_url=f"http://127.0.0.1:{port}",
        )
        app = create_app(settings)
        migrate.upgrade(app.state.engine)
        with serve_in_thread(app, port) as base:
            yield Server(backend, base, app, url)
        app.state.engine.dispose()


@pytest.fixture
def ws(server: Server) -> Iterator[TestWorkspace]:
    """A fresh active workspace with an owner, a manager and a dispatcher."""
    w = make_workspace(server.sessionmaker, server.url)
    yield w
    w.close()


@pytest.fixture
def anon(server: Server) -> Iterator[httpx.Client]:
    """A client with no credentials."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture
def portal_customer(server: Server, ws: TestWorkspace) -> PortalCustomer:
    """A customer with records and an active portal account (for follow-up tests)."""
    return make_customer(server.sessionmaker, ws.id, ws.slug)


@pytest.fixture
def customer_browser(
    server: Server, ws: TestWorkspace, portal_customer: PortalCustomer
) -> Iterator[Browser]:
    """A browser on the test workspace's portal, signed in as ``portal_customer``."""
    b = Browser(server.url, ws.slug)
    response = b.sign_in(portal_customer.email)
    assert response.status_code == 303, response.text[:500]
    yield b
    b.close()
