"""Housekeeping removes only what is old enough, and raises the changes horizon."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import Change, RateLimitHit, Workspace
from server.domain.changes import record_change
from server.housekeeping import sweep
from tests.server.conftest import Server
from tests.support.workspaces import TestWorkspace


def test_sweep_prunes_old_rows_only(server: Server, ws: TestWorkspace) -> None:
    settings = server.app.state.settings
    old = utcnow() - timedelta(days=settings.changes_retention_days + 1)
    with server.sessionmaker() as s:
        record_change(s, ws.id, "job", 9, "upsert")  # a sync position before the tombstone
        s.flush()
        cursor = s.scalar(select(Change.seq).where(Change.workspace_id == ws.id))
        record_change(s, ws.id, "job", 1, "delete")
        record_change(s, ws.id, "job", 2, "delete")
        record_change(s, ws.id, "job", 3, "upsert")
        s.flush()
        rows = {
            c.entity_id: c for c in s.scalars(select(Change).where(Change.workspace_id == ws.id))
        }
        rows[1].changed_at = old
        rows[3].changed_at = old  # old, but not a tombstone: kept
        old_seq = rows[1].seq
        key = f"test:{ws.slug}"
        s.add(RateLimitHit(key=key, window_start=utcnow() - timedelta(days=2), count=3))
        s.add(RateLimitHit(key=key, window_start=utcnow(), count=1))
        s.commit()

    counts = sweep(server.sessionmaker, settings)
    assert counts["tombstones"] >= 1
    # SQLite's planner statistics are gathered again; PostgreSQL gathers its own.
    assert counts["planner_statistics"] == (1 if server.backend == "sqlite" else 0)

    with server.sessionmaker() as s:
        left = sorted(
            c.entity_id for c in s.scalars(select(Change).where(Change.workspace_id == ws.id))
        )
        assert left == [2, 3, 9]
        ws_row = s.get(Workspace, ws.id)
        assert ws_row is not None and ws_row.changes_horizon >= old_seq
        windows = s.scalars(select(RateLimitHit).where(RateLimitHit.key == key)).all()
        assert [w.count for w in windows] == [1]

    # A client whose cursor predates the pruned tombstone must start again.
    assert cursor is not None and 0 < cursor < old_seq
    r = ws.client("dispatcher").get("/api/v1/changes", params={"since": cursor})
    assert r.status_code == 410
    assert r.json()["detail"]
