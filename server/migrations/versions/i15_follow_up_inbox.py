"""follow-up inbox and service request decisions

Revision ID: i15_follow_up
Revises: i14_golive

Service requests and the jobs the portal made for them were "new"; they are "requested" now
(the job status "new" stays for jobs the CRM pushes).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import server.db.base

revision: str = "i15_follow_up"
down_revision: str | None = "i14_golive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("happened_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        sa.Column("customer_deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("quote_id", sa.BigInteger(), nullable=True),
        sa.Column("invoice_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("service_request_id", sa.BigInteger(), nullable=True),
        sa.Column("outbox_id", sa.BigInteger(), nullable=True),
        sa.Column("request_status", sa.String(length=20), nullable=True),
        sa.Column(
            "assignee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("assignee_name", sa.String(length=200), nullable=True),
        sa.Column("assigned_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("done_by_name", sa.String(length=200), nullable=True),
        sa.Column("done_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_user.id"],
            name=op.f("fk_follow_up_assignee_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_follow_up_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_follow_up_customer_id_customer"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_follow_up_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint(
            "workspace_id", "dedupe_key", name=op.f("uq_follow_up_workspace_id_dedupe_key")
        ),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_follow_up_contact", ["contact_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_ws_kind", ["workspace_id", "kind", "happened_at", "id"], unique=False
        )
        batch_op.create_index("ix_follow_up_request", ["service_request_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_ws_assignee",
            ["workspace_id", "assignee_id", "state", "happened_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_follow_up_ws_happened", ["workspace_id", "happened_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_follow_up_ws_state_kind",
            ["workspace_id", "state", "kind", "happened_at", "id"],
            unique=False,
        )

    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("asked_at", server.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("answered_at", server.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decline_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", server.db.base.UtcDateTime(timezone=True), nullable=True)
        )

    op.execute("UPDATE service_request SET status = 'requested' WHERE status = 'new'")
    grant_follow_up_to_saved_roles(op.get_bind())
    op.execute(
        "UPDATE job SET internal_status = 'requested' "
        "WHERE source = 'portal' AND internal_status = 'new'"
    )


def grant_follow_up_to_saved_roles(conn: sa.Connection) -> int:
    """Every role has handle_follow_up by default; a workspace that saved its own permission
    lists gets it added to each, so nobody loses the inbox on upgrade (owners can take it
    away again in Team). Returns how many workspaces changed."""
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
    workspace = sa.table(
        "workspace",
        sa.column("id", sa.BigInteger()),
        sa.column("permissions", json_type),
        sa.column("permissions_version", sa.Integer()),
    )
    changed = 0
    for ws_id, saved, version in conn.execute(
        sa.select(workspace.c.id, workspace.c.permissions, workspace.c.permissions_version)
    ).all():
        if not saved:
            continue
        granted = {
            role: [*names, "handle_follow_up"] if "handle_follow_up" not in names else names
            for role, names in saved.items()
        }
        if granted != saved:
            conn.execute(
                workspace.update()
                .where(workspace.c.id == ws_id)
                .values(permissions=granted, permissions_version=(version or 1) + 1)
            )
            changed += 1
    return changed


def downgrade() -> None:
    op.execute("UPDATE service_request SET status = 'new' WHERE status = 'requested'")
    op.execute("UPDATE job SET internal_status = 'new' WHERE internal_status = 'requested'")
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer")
        batch_op.drop_column("asked_at")
        batch_op.drop_column("question")

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_ws_state_kind")
        batch_op.drop_index("ix_follow_up_ws_happened")
        batch_op.drop_index("ix_follow_up_ws_assignee")
        batch_op.drop_index("ix_follow_up_request")
        batch_op.drop_index("ix_follow_up_customer")
        batch_op.drop_index("ix_follow_up_contact")
        batch_op.drop_index("ix_follow_up_ws_kind")

    op.drop_table("follow_up")
