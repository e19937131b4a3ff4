"""rollout counts from indexes: contact.email_invalid, held invites, files to review, and
who did something through the portal

Revision ID: i14_speed
Revises: i14_golive
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.wire.emails import email_problem

revision: str = "i14_speed"
down_revision: str | None = "i14_golive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
INDEXES = (
    ("ix_invite_ws_held", "invite", ["workspace_id", "held"]),
    ("ix_document_ws_review", "document", ["workspace_id", "review_status"]),
    ("ix_photo_ws_review", "photo", ["workspace_id", "review_status"]),
    ("ix_quote_ws_decider", "quote", ["workspace_id", "decided_by_contact_id", "customer_id"]),
    ("ix_payment_ws_payer", "payment", ["workspace_id", "paid_by_contact_id", "customer_id"]),
    (
        "ix_service_request_ws_contact",
        "service_request",
        ["workspace_id", "contact_id", "customer_id"],
    ),
)


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: SQLite need not copy the table (a copy
    # would cascade the old table's deletion to the portal accounts).
    op.add_column(
        "contact",
        sa.Column("email_invalid", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Judged by the same rule the application applies on every write (``email_problem``).
    contact = sa.table(
        "contact",
        sa.column("id", sa.BigInteger()),
        sa.column("email_normalized", sa.String()),
        sa.column("email_invalid", sa.Boolean()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(contact.c.id, contact.c.email_normalized).where(
            contact.c.email_normalized.is_not(None), contact.c.email_normalized != ""
        )
    ).all()
    invalid = [row.id for row in rows if email_problem(row.email_normalized)]
    for start in range(0, len(invalid), BATCH):
        conn.execute(
            sa.update(contact)
            .where(contact.c.id.in_(invalid[start : start + BATCH]))
            .values(email_invalid=True)
        )
    op.create_index(
        "ix_contact_ws_email_invalid", "contact", ["workspace_id", "email_invalid"], unique=False
    )
    # The checklist's other counts, each from an index instead of a walk of its table.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_contact_ws_email_invalid", table_name="contact")
    # Not in batch mode: on SQLite that copies the table, and dropping the old copy would
    # cascade to every portal account referencing a contact.
    op.drop_column("contact", "email_invalid")
