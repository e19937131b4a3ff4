"""GET requests read through read-only sessions: writing through one is refused loudly."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from server.db.engine import ReadOnlySessionError, writable
from server.db.models import Workspace
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace


def test_read_session_refuses_writes(server: Server, ws: TestWorkspace) -> None:
    reader = server.app.state.read_sessionmaker
    with reader() as db:
        row = db.get(Workspace, ws.id)
        assert row is not None
        row.name = "Changed"
        with pytest.raises(ReadOnlySessionError):
            db.flush()
        db.rollback()
        with pytest.raises(ReadOnlySessionError):
            db.execute(update(Workspace).where(Workspace.id == ws.id).values(name="X"))
    with server.sessionmaker() as db:
        assert db.scalar(select(Workspace.name).where(Workspace.id == ws.id)) != "Changed"


def test_writable_gives_a_committing_session(server: Server, ws: TestWorkspace) -> None:
    reader = server.app.state.read_sessionmaker
    with reader() as db:
        before = db.scalar(select(Workspace.name).where(Workspace.id == ws.id))
        with writable(db) as w:
            assert w is not db
            w.execute(update(Workspace).where(Workspace.id == ws.id).values(name="Renamed"))
            w.commit()
        db.commit()  # a new snapshot sees the write
        assert db.scalar(select(Workspace.name).where(Workspace.id == ws.id)) == "Renamed"
        assert before != "Renamed"
    with server.sessionmaker() as db, writable(db) as same:
        assert same is db


def test_a_get_never_changes_the_change_log(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    before = c.get("/api/v1/changes").json()["next_cursor"]
    for path in ("/api/v1/customers", "/api/v1/workspace", "/api/v1/branding", "/api/v1/team"):
        assert c.get(path).status_code == 200, path
    assert c.get("/api/v1/changes").json()["next_cursor"] == before


def test_read_sessions_open_no_transaction(server: Server, ws: TestWorkspace) -> None:
    """Each read sees what was committed before it, on both databases (no BEGIN: as cheap as
    a read gets), and holds no snapshot or lock between its statements."""
    sent: list[str] = []

    def grab(_conn: object, _cur: object, statement: str, *_: object) -> None:
        sent.append(statement.strip().upper())

    engine = server.app.state.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        with server.app.state.read_sessionmaker() as db:
            first = db.scalar(select(Workspace.name).where(Workspace.id == ws.id))
            with server.sessionmaker() as w:
                w.execute(update(Workspace).where(Workspace.id == ws.id).values(name="Later"))
                w.commit()
            assert db.scalar(select(Workspace.name).where(Workspace.id == ws.id)) == "Later"
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert first != "Later"
    # The writer's own BEGIN IMMEDIATE (SQLite) aside: the reader sent its two SELECTs only.
    kinds = [s.split()[0] for s in sent if s != "BEGIN IMMEDIATE"]
    assert kinds == ["SELECT", "UPDATE", "SELECT"], sent
