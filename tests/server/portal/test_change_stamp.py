"""The change stamp every portal page starts from: the customer's own newest change, the
newest one every customer sees, and the feed's horizon, each found with one index probe
however many changes other customers and workspaces wrote after them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text, update

from server.db.base import utcnow
from server.db.engine import make_sessionmaker
from server.db.models import Change, PortalAccount, Workspace
from server.domain.changes import record_change
from server.domain.portal_visits import STAMP_COLUMNS, stamp_of
from tests.server.conftest import Server
from tests.server.portal.fixtures import make_customer
from tests.support.databases import BACKENDS, migrated_engine
from tests.support.workspaces import make_workspace


def _stamp(server: Server, account_id: int) -> tuple[int | None, int | None, int]:
    with server.sessionmaker() as db:
        row = db.execute(_by_account(account_id)).one()
        return row[0], row[1], row[2]


def _by_account(account_id: int):  # type: ignore[no-untyped-def]
    return (
        select(*STAMP_COLUMNS)
        .select_from(Workspace)
        .join(PortalAccount, PortalAccount.workspace_id == Workspace.id)
        .where(PortalAccount.id == account_id)
    )


def _seq_of(server: Server, workspace_id: int, entity: str, entity_id: int) -> int | None:
    with server.sessionmaker() as db:
        return db.scalar(
            select(Change.seq).where(
                Change.workspace_id == workspace_id,
                Change.entity == entity,
                Change.entity_id == entity_id,
            )
        )


def test_a_stamp_counts_the_customers_own_and_the_shared_changes_only(server: Server) -> None:
    first = make_workspace(server.sessionmaker, server.url)
    other_ws = make_workspace(server.sessionmaker, server.url)
    mine = make_customer(server.sessionmaker, first.id, first.slug, records=False)
    theirs = make_customer(server.sessionmaker, first.id, first.slug, records=False)
    with server.sessionmaker() as db:
        db.execute(text("DELETE FROM change WHERE workspace_id = :w"), {"w": first.id})
        db.commit()
    assert stamp_of(*_stamp(server, mine.account_id)) == 0  # nothing yet: not a neighbour's
    with server.sessionmaker() as db:
        record_change(db, first.id, "customer", mine.customer_id, "upsert")
        record_change(db, first.id, "contact", mine.contact_id, "upsert")
        record_change(db, first.id, "customer", theirs.customer_id, "upsert")  # newer
        record_change(db, other_ws.id, "branding", other_ws.id, "upsert")  # another workspace
        db.commit()
    own = _seq_of(server, first.id, "contact", mine.contact_id)
    assert _stamp(server, mine.account_id) == (own, None, 0)
    with server.sessionmaker() as db:
        record_change(db, first.id, "branding", first.id, "upsert")  # every customer sees it
        db.commit()
    shared = _seq_of(server, first.id, "branding", first.id)
    assert _stamp(server, mine.account_id) == (own, shared, 0)
    assert stamp_of(*_stamp(server, theirs.account_id)) == shared
    with server.sessionmaker() as db:
        db.execute(update(Workspace).where(Workspace.id == first.id).values(changes_horizon=10**9))
        db.commit()
    assert stamp_of(*_stamp(server, mine.account_id)) == 10**9


@pytest.fixture(params=BACKENDS)
def two_workspace_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database: with only two workspaces the planner's guess is at its worst."""
    with migrated_engine(request.param, tmp_path) as engine:
        yield engine


def test_a_small_customer_behind_a_busy_workspace_is_one_index_probe(
    two_workspace_db: Engine,
) -> None:
    factory = make_sessionmaker(two_workspace_db)
    small = make_workspace(factory, "http://127.0.0.1:1")
    busy = make_workspace(factory, "http://127.0.0.1:1")
    customer = make_customer(factory, small.id, small.slug, records=False)
    with factory() as db:
        record_change(db, small.id, "customer", customer.customer_id, "upsert")
        now = utcnow()
        rows = [
            {"workspace_id": ws_id, "entity": "job", "entity_id": i, "op": "upsert",
             "customer_id": 1 + i % 50, "changed_at": now}
            for ws_id in (busy.id, small.id)
            for i in range(10_000)
        ]  # fmt: skip
        db.execute(insert(Change), rows)
        db.commit()
    postgres = two_workspace_db.dialect.name == "postgresql"
    with factory() as db:
        db.execute(text("ANALYZE change" if postgres else "ANALYZE"))
        if postgres:
            # As on a live database whose visibility map lags behind its writes: without
            # index-only scans too, the lookup must stay a probe of the index.
            db.execute(text("SET LOCAL enable_indexonlyscan = off"))
        statement = _by_account(customer.account_id)
        sql = str(statement.compile(two_workspace_db, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = " ".join(str(row) for row in db.execute(text(explain + sql)))
        own = db.scalar(
            select(func.max(Change.seq)).where(
                Change.workspace_id == small.id, Change.customer_id == customer.customer_id
            )
        )
        assert db.execute(statement).one()[0] == own
    assert plan.count("ix_change_ws_customer_seq") >= 2, plan
    assert "pk_change" not in plan, plan
