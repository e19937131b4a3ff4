"""workspace time zone, locale and currency; former portal paths

Revision ID: i13_branding
Revises: 103825579329
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "i13_branding"
down_revision: str | None = "i12_preview"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("locale", sa.String(length=20), nullable=False, server_default="en_US")
        )
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="USD")
        )
    op.create_table(
        "former_slug",
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column(
            "workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("moved_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_former_slug_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_former_slug")),
    )
    with op.batch_alter_table("former_slug", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_former_slug_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("former_slug", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_former_slug_workspace_id"))
    op.drop_table("former_slug")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("locale")
        batch_op.drop_column("time_zone")
