"""A compiled-once SELECT answers exactly what ``Connection.execute`` answers for the same
statement: the same rows, with times and JSON documents processed the same way."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, select, update

from server.app import loop_reads_for
from server.db.base import utcnow
from server.db.compiled import CompiledSelect
from server.db.models import PortalAccount, PortalSession, StaffUser, Workspace
from server.domain.portal_sessions import start_session
from tests.server.conftest import Server
from tests.server.portal.fixtures import make_customer
from tests.support.workspaces import TestWorkspace

_BY_ACCOUNT = select(
    PortalSession.id,
    PortalSession.csrf_token,
    PortalSession.expires_at,
    PortalSession.revoked_at,
    PortalSession.preview_options,
).where(PortalSession.account_id == bindparam("account_id"))
_WORKSPACE = (
    select(Workspace.slug, Workspace.branding, Workspace.visibility, Workspace.created_at)
    .where(Workspace.id == bindparam("id"), Workspace.slug == bindparam("slug"))
    .execution_options(prepared=True)
)


def test_rows_are_those_execute_gives(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    with server.sessionmaker() as db:
        account = db.get(PortalAccount, customer.account_id)
        assert account is not None
        start_session(db, account, ip=None, user_agent="test")
        db.execute(
            update(PortalSession)
            .where(PortalSession.account_id == customer.account_id)
            .values(revoked_at=utcnow() - timedelta(minutes=5), preview_options={"a": [1, "b"]})
        )
        db.commit()
    compiled = CompiledSelect(_BY_ACCOUNT)
    with server.app.state.read_sessionmaker() as db:
        conn = db.connection()
        params = {"account_id": customer.account_id}
        expected = [tuple(r) for r in conn.execute(_BY_ACCOUNT, params)]
        assert expected, "the customer has a session"
        for _ in range(2):  # the second run reuses what the first compiled
            got = compiled.rows(conn, params)
            assert got == expected
        revoked = got[0][3]
        assert revoked is not None and revoked.tzinfo is not None
        assert revoked.utcoffset() == UTC.utcoffset(None)
        assert got[0][4] == {"a": [1, "b"]}
        assert compiled.rows(conn, {"account_id": -1}) == []


def test_one_row_by_several_parameters(server: Server, ws: TestWorkspace) -> None:
    compiled = CompiledSelect(_WORKSPACE)
    with server.app.state.read_sessionmaker() as db:
        conn = db.connection()
        row = compiled.one_or_none(conn, {"slug": ws.slug, "id": ws.id})
        assert row is not None
        expected = conn.execute(_WORKSPACE, {"id": ws.id, "slug": ws.slug}).one()
        assert row == tuple(expected)
        assert row[0] == ws.slug and isinstance(row[1], dict)
        assert compiled.one_or_none(conn, {"slug": "elsewhere", "id": ws.id}) is None


def test_more_than_one_row_is_an_error_for_one_or_none(server: Server, ws: TestWorkspace) -> None:
    staff = select(StaffUser.id).where(StaffUser.workspace_id == bindparam("id"))
    compiled = CompiledSelect(staff)
    with server.app.state.read_sessionmaker() as db:
        assert len(compiled.rows(db.connection(), {"id": ws.id})) == len(ws.emails) > 1
        with pytest.raises(LookupError):
            compiled.one_or_none(db.connection(), {"id": ws.id})


def test_a_list_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="expand"):
        CompiledSelect(select(Workspace.id).where(Workspace.id.in_(bindparam("ids"))))


def test_constants_in_the_statement_and_processed_parameters(
    server: Server, ws: TestWorkspace
) -> None:
    """Values written in the statement go with every run; a time parameter is bound as
    ``execute`` binds it (a naive time is refused, as the column type refuses it)."""
    stmt = select(Workspace.slug).where(
        Workspace.portal_status == "active",
        Workspace.id == bindparam("id"),
        Workspace.created_at < bindparam("before", type_=Workspace.created_at.type),
    )
    compiled = CompiledSelect(stmt)
    later = utcnow() + timedelta(days=1)
    with server.app.state.read_sessionmaker() as db:
        conn = db.connection()
        assert compiled.rows(conn, {"id": ws.id, "before": later}) == [(ws.slug,)]
        earlier = {"id": ws.id, "before": utcnow() - timedelta(days=365)}
        assert compiled.rows(conn, earlier) == []
        with pytest.raises(ValueError, match="naive"):
            compiled.rows(conn, {"id": ws.id, "before": later.replace(tzinfo=None)})
        with pytest.raises(KeyError):
            compiled.rows(conn, {"id": ws.id})


def test_rows_on_the_event_loops_driver_are_those_execute_gives(
    server: Server, ws: TestWorkspace
) -> None:
    """On PostgreSQL, the loop's reads (asyncpg's driver) give what ``execute`` gives;
    SQLite has no such reads (its pages read on worker threads)."""
    reads = loop_reads_for(server.database_url)
    if server.backend == "sqlite":
        assert reads is None and server.app.state.loop_reads is None
        return
    assert reads is not None
    compiled = CompiledSelect(_WORKSPACE)
    params = {"id": ws.id, "slug": ws.slug}
    with server.app.state.engine.connect() as conn:
        expected = [tuple(r) for r in conn.execute(_WORKSPACE, params)]

    async def both() -> tuple[list[tuple[Any, ...]] | None, list[tuple[Any, ...]] | None]:
        try:
            got = await reads.rows(compiled, params)
            again = await reads.rows(compiled, {**params, "slug": "elsewhere"})
            return got, again
        finally:
            await reads.close()

    got, again = asyncio.run(both())
    assert got == expected and len(got) == 1
    assert again == []
    assert got[0][3].utcoffset() == timedelta(0)
    assert isinstance(got[0][1], dict)
