"""changes name the customer whose pages they touch

Revision ID: i10_figures
Revises: 103825579329
Create Date: 2026-12-06 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i10_figures"
down_revision: str | None = "103825579329"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every entity of the feed that belongs to one customer, and its table.
_OWNED = ("contact", "portal_account", "job", "quote", "invoice", "payment",
          "service_request", "document", "photo")  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "customer_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_change_ws_customer_seq", ["workspace_id", "customer_id", "seq"], unique=False
        )
    # Existing rows: the customer of each record that still exists (a tombstone of a record
    # already gone names none, as if it touched every customer's pages, which is safe).
    op.execute("UPDATE change SET customer_id = entity_id WHERE entity = 'customer'")
    for entity in _OWNED:
        op.execute(
            f"UPDATE change SET customer_id = (SELECT t.customer_id FROM {entity} t "  # noqa: S608
            f"WHERE t.id = change.entity_id) WHERE entity = '{entity}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index("ix_change_ws_customer_seq")
        batch_op.drop_column("customer_id")
