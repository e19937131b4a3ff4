"""adoption chart by day from indexes on SQLite: invited and accepted accounts by workspace
and UTC day, so the chart for everyone needs no sort of every account

Revision ID: i14_adoption_days
Revises: i15_follow_up

SQLite only (``PortalAccount``'s ``ADOPTION_DAY_INDEXES``); on PostgreSQL this does nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_adoption_days"
down_revision: str | None = "i15_follow_up"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("created_at", "password_changed_at")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _sqlite():
        return
    for column in COLUMNS:
        op.create_index(
            f"ix_portal_account_{column}_day",
            "portal_account",
            ["workspace_id", sa.text(f"date({column})"), column],
            unique=False,
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    if not _sqlite():
        return
    # Dropping an index copies no table (nothing cascades to the accounts' children).
    for column in COLUMNS:
        op.drop_index(f"ix_portal_account_{column}_day", table_name="portal_account")
