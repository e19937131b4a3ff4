"""The migration that makes a list row's status its primary contact's: old rows corrected."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, update

from server.db.models import Change, Customer, Workspace
from server.domain.audit import SYSTEM
from server.domain.invites import send_invite
from tests.server.conftest import Server
from tests.support.customers import add_customer
from tests.support.workspaces import TestWorkspace

MIGRATION = (
    Path(__file__).resolve().parents[2] / "server/migrations/versions/i11access_held_invites.py"
)


def _migration():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("held_invites_migration", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rows_summarised_by_another_contact_are_corrected_and_announced(
    server: Server, ws: TestWorkspace
) -> None:
    stale = add_customer(
        server.sessionmaker,
        ws.id,
        "Stale Row",
        [("Primary Pat", "pat@example.com", None), ("Manager Max", "max@example.com", None)],
    )
    fine = add_customer(
        server.sessionmaker, ws.id, "Fine Row", [("Fiona", "fiona@example.com", None)]
    )
    with server.sessionmaker() as s:
        workspace = s.get(Workspace, ws.id)
        assert workspace is not None
        send_invite(s, workspace, SYSTEM, stale.contact_ids[1], server.url)
        send_invite(s, workspace, SYSTEM, fine.contact_ids[0], server.url)
        # As the old rule left it: Max's invite shown on Pat's row.
        s.execute(
            update(Customer).where(Customer.id == stale.customer_id).values(access_status="invited")
        )
        s.commit()
        before = s.scalar(select(Change.seq).where(Change.entity_id == stale.customer_id,
                                                   Change.entity == "customer"))  # fmt: skip
        version = s.get(Customer, stale.customer_id).version  # type: ignore[union-attr]
    with server.app.state.engine.begin() as conn:
        assert _migration().summaries_follow_the_primary_contact(conn) == 1
    with server.sessionmaker() as s:
        row = s.get(Customer, stale.customer_id)
        assert row is not None and row.access_status == "not_invited"
        assert row.version == version + 1 and row.access_invite_expires_at is None
        after = s.scalar(select(Change.seq).where(Change.entity_id == stale.customer_id,
                                                  Change.entity == "customer"))  # fmt: skip
        assert after is not None and before is not None and after > before
        other = s.get(Customer, fine.customer_id)
        assert other is not None and other.access_status == "invited"
    with server.app.state.engine.begin() as conn:
        assert _migration().summaries_follow_the_primary_contact(conn) == 0
