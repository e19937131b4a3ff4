"""PostgreSQL: numbering a change never waits on a transaction that only inserted rows
referencing the workspace, so a webhook and a return page paying the same invoice cannot
deadlock (each held what the other's change numbering waited for)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.db.models import ProviderEvent, Workspace
from server.domain.changes import record_change
from server.domain.concurrency import lock_workspace
from tests.support.databases import migrated_engine


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Engine]:
    with migrated_engine("postgresql", tmp_path, pool_size=2) as engine:
        with Session(engine) as db:
            db.add(Workspace(slug="locks", name="Locks Plumbing"))
            db.commit()
        yield engine


def _inserted_a_reference(engine: Engine) -> Session:
    """A transaction left open after inserting a row that references the workspace."""
    db = Session(engine)
    ws_id = db.scalar(select(Workspace.id))
    db.add(ProviderEvent(provider="stripe", event_id="evt_1", event_type="x", workspace_id=ws_id))
    db.flush()
    return db


def test_numbering_a_change_does_not_wait_on_a_foreign_key_insert(pg: Engine) -> None:
    holder = _inserted_a_reference(pg)
    try:
        with Session(pg) as db:
            db.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail here
            ws = db.scalars(select(Workspace)).one()
            record_change(db, ws.id, "workspace", ws.id, "upsert")
            lock_workspace(db, ws)
            db.commit()
    finally:
        holder.rollback()
        holder.close()


def test_writers_of_changes_still_queue_behind_each_other(pg: Engine) -> None:
    first = Session(pg)
    try:
        ws_id = first.scalar(select(Workspace.id))
        assert ws_id is not None
        record_change(first, ws_id, "workspace", ws_id, "upsert")
        with Session(pg) as second:
            second.execute(text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                record_change(second, ws_id, "workspace", ws_id, "upsert")
    finally:
        first.rollback()
        first.close()
