"""SQLite's planner statistics: gathered when the server starts and by housekeeping, so that a
customer's page finds its rows through the customer's own indexes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from server.db import migrate, planner_stats
from server.db.engine import make_engine, make_sessionmaker
from server.db.models import PortalAccount
from server.demo.seed import seed_demo
from server.domain.home_rows import HOME_ROWS
from tests.server.conftest import Server


def _home_plan(conn: object, workspace_id: int, customer_id: int) -> str:
    compiled = HOME_ROWS._compiled(sqlite.dialect())
    args = compiled.args({"workspace_id": workspace_id, "customer_id": customer_id})
    raw = conn.connection.driver_connection  # type: ignore[attr-defined]
    return "\n".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + compiled.sql, args))


def test_with_statistics_the_home_page_reads_quotes_through_the_customer_index(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    try:
        migrate.upgrade(engine)
        with make_sessionmaker(engine)() as session:
            seed_demo(session, slug="stats", customers=400, seed=5)
            account = session.scalars(select(PortalAccount).limit(1)).one()
        assert planner_stats.refresh(engine) is True
        with engine.connect() as conn:
            stats = conn.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'quote'"))
            plan = _home_plan(conn, account.workspace_id, account.customer_id)
    finally:
        engine.dispose()
    assert stats and stats >= 2
    assert "quote USING INDEX ix_quote_customer_id" in plan, plan
    assert "ix_quote_ws_decider" not in plan


def test_the_server_gathers_statistics_when_it_starts(server: Server) -> None:
    engine = server.app.state.engine
    with engine.connect() as conn:
        if server.backend == "sqlite":
            assert conn.scalar(text("SELECT count(*) FROM sqlite_stat1")) > 0
        else:
            assert planner_stats.refresh(engine) is False  # PostgreSQL gathers its own
