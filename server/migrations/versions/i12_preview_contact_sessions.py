"""previews of contacts without a portal account

A staff preview session may name a contact instead of a portal account, so the office can
preview what a contact will see once invited without creating an account for them.

Revision ID: i12_preview
Revises: 103825579329
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i12_preview"
down_revision: str | None = "i11_access_held_invites"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("portal_session", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=BigId, nullable=True)
        batch_op.add_column(sa.Column("contact_id", BigId, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_portal_session_contact_id_contact"),
            "contact",
            ["contact_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM portal_session WHERE account_id IS NULL")
    with op.batch_alter_table("portal_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_portal_session_contact_id_contact"), "foreignkey")
        batch_op.drop_column("contact_id")
        batch_op.alter_column("account_id", existing_type=BigId, nullable=False)
