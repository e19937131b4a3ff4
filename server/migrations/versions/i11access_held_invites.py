"""held invites; a customer's portal status is its primary contact's

Revision ID: i11_access_held_invites
Revises: 103825579329
Create Date: 2026-12-06 13:40:00

- ``invite.held``: an invite made while the portal is coming soon. Its email is not sent and
  its link is never shown; going live sends it with a fresh link and starts its 7 days.
- The customer list's status columns now describe the primary contact only (before, another
  contact's account stood in when the primary contact had none). Rows summarised by the old
  rule are corrected here and announced in the changes feed, so consoles pick them up.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "i11_access_held_invites"
down_revision: str | None = "i10_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_customer = sa.table(
    "customer",
    sa.column("id", sa.BigInteger()),
    sa.column("workspace_id", sa.BigInteger()),
    sa.column("primary_contact_id", sa.BigInteger()),
    sa.column("access_status", sa.String()),
    sa.column("access_invite_expires_at", server.db.base.UtcDateTime()),
    sa.column("access_locked_until", server.db.base.UtcDateTime()),
    sa.column("last_sign_in_at", server.db.base.UtcDateTime()),
    sa.column("version", sa.Integer()),
    sa.column("updated_at", server.db.base.UtcDateTime()),
)
_account = sa.table("portal_account", sa.column("contact_id", sa.BigInteger()))
_change = sa.table(
    "change",
    sa.column("workspace_id", sa.BigInteger()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.BigInteger()),
    sa.column("op", sa.String()),
    sa.column("changed_at", server.db.base.UtcDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    summaries_follow_the_primary_contact(op.get_bind())


def summaries_follow_the_primary_contact(bind: sa.Connection) -> int:
    """Correct rows summarised by the old rule; answers how many (a test calls this too)."""
    primary_has_no_account = ~sa.exists().where(
        _account.c.contact_id == _customer.c.primary_contact_id
    )
    stale = bind.execute(
        sa.select(_customer.c.id, _customer.c.workspace_id).where(
            _customer.c.access_status != "not_invited",
            _customer.c.primary_contact_id.is_not(None),
            primary_has_no_account,
        )
    ).all()
    if not stale:
        return 0
    now = datetime.now(UTC)
    ids = [row.id for row in stale]
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        bind.execute(
            sa.update(_customer)
            .where(_customer.c.id.in_(part))
            .values(
                access_status="not_invited",
                access_invite_expires_at=None,
                access_locked_until=None,
                last_sign_in_at=None,
                version=_customer.c.version + 1,
                updated_at=now,
            )
        )
        bind.execute(
            sa.delete(_change).where(_change.c.entity == "customer", _change.c.entity_id.in_(part))
        )
    bind.execute(
        sa.insert(_change),
        [
            {
                "workspace_id": row.workspace_id,
                "entity": "customer",
                "entity_id": row.id,
                "op": "upsert",
                "changed_at": now,
            }
            for row in stale
        ],
    )
    return len(stale)


def downgrade() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("held")
