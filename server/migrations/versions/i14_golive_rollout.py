"""rollout: pilot groups and staff invites

Revision ID: i14_golive
Revises: 103825579329
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import server.db.base

revision: str = "i14_golive"
down_revision: str | None = "i13_branding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "customer_group",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "rule",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_id", BigId, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_customer_group_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_user.id"],
            name=op.f("fk_customer_group_created_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_group")),
        sa.UniqueConstraint(
            "workspace_id", "name", name=op.f("uq_customer_group_workspace_id_name")
        ),
    )
    op.create_table(
        "customer_group_member",
        sa.Column("group_id", BigId, nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("batch_invited_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["customer_group.id"],
            name=op.f("fk_customer_group_member_group_id_customer_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_group_member_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "customer_id", name=op.f("pk_customer_group_member")),
    )
    op.create_index(
        op.f("ix_customer_group_member_customer_id"),
        "customer_group_member",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "staff_invite",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("staff_id", BigId, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("used_at", When, nullable=True),
        sa.Column("revoked_at", When, nullable=True),
        sa.Column("sent_by_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_staff_invite_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_invite_staff_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_invite_sent_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invite")),
        sa.UniqueConstraint("digest", name=op.f("uq_staff_invite_digest")),
    )
    op.create_index(
        op.f("ix_staff_invite_staff_id"), "staff_invite", ["staff_id"], unique=False
    )
    op.create_index(
        "ix_audit_ws_action", "audit_event", ["workspace_id", "action", "id"], unique=False
    )
    op.create_index(
        "ix_change_ws_entity_seq", "change", ["workspace_id", "entity", "seq"], unique=False
    )
    op.create_index(
        "ix_contact_ws_email_customer",
        "contact",
        ["workspace_id", "email_normalized", "customer_id"],
        unique=False,
    )
    op.create_index(
        "ix_portal_account_adoption",
        "portal_account",
        ["workspace_id", "customer_id", "created_at", "password_changed_at", "last_sign_in_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_portal_account_adoption", table_name="portal_account")
    op.drop_index("ix_contact_ws_email_customer", table_name="contact")
    op.drop_index("ix_change_ws_entity_seq", table_name="change")
    op.drop_index("ix_audit_ws_action", table_name="audit_event")
    op.drop_index(op.f("ix_staff_invite_staff_id"), table_name="staff_invite")
    op.drop_table("staff_invite")
    op.drop_index(
        op.f("ix_customer_group_member_customer_id"), table_name="customer_group_member"
    )
    op.drop_table("customer_group_member")
    op.drop_table("customer_group")
