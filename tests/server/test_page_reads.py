"""A read-only page's database: one connection of the read engine, and an ORM session on it
only when a page asks, read-only like every GET request's session."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from server.db.engine import ReadOnlySessionError
from server.db.models import Workspace
from server.db.page_reads import PageReads
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace


def test_the_session_is_made_on_demand_on_the_same_connection(
    server: Server, ws: TestWorkspace
) -> None:
    sessions = server.app.state.read_sessionmaker
    with server.app.state.read_engine.connect() as conn:
        reads = PageReads(conn, sessions)
        assert conn.execute(select(Workspace.slug).where(Workspace.id == ws.id)).scalar() == ws.slug
        assert reads._session is None  # nothing asked for one yet
        db = reads.session
        assert reads.session is db  # one per page
        assert db.connection() is conn
        assert db.get(Workspace, ws.id) is not None
        reads.close()
        assert reads._session is None
        # The connection outlives the page's session: it is the caller's to close.
        assert conn.execute(select(Workspace.id).where(Workspace.id == ws.id)).scalar() == ws.id


def test_the_session_refuses_writes(server: Server, ws: TestWorkspace) -> None:
    with server.app.state.read_engine.connect() as conn:
        reads = PageReads(conn, server.app.state.read_sessionmaker)
        try:
            with pytest.raises(ReadOnlySessionError):
                reads.session.execute(
                    update(Workspace).where(Workspace.id == ws.id).values(name="Changed")
                )
        finally:
            reads.close()
    with server.sessionmaker() as db:
        assert db.scalar(select(Workspace.name).where(Workspace.id == ws.id)) != "Changed"
