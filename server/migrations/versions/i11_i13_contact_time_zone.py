"""contact time zone: portal times name the business's zone for a customer elsewhere; an
index of held invites for the sender that sends them after a go-live

Revision ID: i11_i13_contact_zone
Revises: i14_speed
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i11_i13_contact_zone"
down_revision: str | None = "i14_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contact", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_invite_held",
        "invite",
        ["workspace_id"],
        unique=False,
        sqlite_where=sa.text("held"),
        postgresql_where=sa.text("held"),
    )


def downgrade() -> None:
    op.drop_index("ix_invite_held", table_name="invite")
    # Not in batch mode: on SQLite that copies the table, and dropping the old copy would
    # cascade to every portal account referencing a contact.
    op.drop_column("contact", "time_zone")
