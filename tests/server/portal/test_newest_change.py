"""The newest change number every portal page starts from: the workspace's own, found with
one index probe however many changes other workspaces wrote after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text

from server.db.base import utcnow
from server.db.engine import make_sessionmaker
from server.db.models import Change, Workspace
from server.domain.changes import record_change
from server.portal.visits import NEWEST_CHANGE
from tests.server.conftest import Server
from tests.support.databases import BACKENDS, migrated_engine
from tests.support.workspaces import make_workspace


def _newest(server: Server, workspace_id: int) -> int | None:
    with server.sessionmaker() as db:
        return db.scalar(select(NEWEST_CHANGE).where(Workspace.id == workspace_id))


def _own_max(server: Server, workspace_id: int) -> int | None:
    with server.sessionmaker() as db:
        return db.scalar(select(func.max(Change.seq)).where(Change.workspace_id == workspace_id))


def test_each_workspace_gets_its_own_newest_change(server: Server) -> None:
    first = make_workspace(server.sessionmaker, server.url)
    second = make_workspace(server.sessionmaker, server.url)
    empty = make_workspace(server.sessionmaker, server.url)
    with server.sessionmaker() as db:
        record_change(db, second.id, "customer", 1, "upsert")
        record_change(db, first.id, "customer", 1, "upsert")  # newer, in the lower id
        db.commit()
    with server.sessionmaker() as db:  # no change of its own: nothing, not a neighbour's
        db.execute(text("DELETE FROM change WHERE workspace_id = :w"), {"w": empty.id})
        db.commit()
    assert _newest(server, first.id) == _own_max(server, first.id)
    assert _newest(server, second.id) == _own_max(server, second.id)
    assert _newest(server, second.id) < _newest(server, first.id)  # type: ignore[operator]
    assert _newest(server, empty.id) is None


@pytest.fixture(params=BACKENDS)
def two_workspace_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database: with only two workspaces the planner's guess is at its worst."""
    with migrated_engine(request.param, tmp_path) as engine:
        yield engine


def test_a_small_workspace_behind_a_busy_one_is_one_index_probe(two_workspace_db: Engine) -> None:
    factory = make_sessionmaker(two_workspace_db)
    small = make_workspace(factory, "http://127.0.0.1:1")
    busy = make_workspace(factory, "http://127.0.0.1:1")
    with factory() as db:
        record_change(db, small.id, "customer", 1, "upsert")
        now = utcnow()
        rows = [
            {"workspace_id": busy.id, "entity": "job", "entity_id": i, "op": "upsert",
             "changed_at": now}
            for i in range(20_000)
        ]  # fmt: skip
        db.execute(insert(Change), rows)
        db.commit()
    postgres = two_workspace_db.dialect.name == "postgresql"
    with factory() as db:
        db.execute(text("ANALYZE change" if postgres else "ANALYZE"))
        if postgres:
            # As on a live database whose visibility map lags behind its writes: without
            # index-only scans too, the lookup must stay a probe of ix_change_ws_seq.
            db.execute(text("SET LOCAL enable_indexonlyscan = off"))
        statement = select(NEWEST_CHANGE).where(Workspace.id == small.id)
        sql = str(statement.compile(two_workspace_db, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = " ".join(str(row) for row in db.execute(text(explain + sql)))
        own = db.scalar(select(func.max(Change.seq)).where(Change.workspace_id == small.id))
        assert db.scalar(statement) == own
    assert "ix_change_ws_seq" in plan, plan
    assert "pk_change" not in plan, plan
