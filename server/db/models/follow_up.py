"""The office's follow-up inbox: one row per thing a customer did that needs someone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, utcnow


class FollowUp(Base):
    """An item of the inbox, filed in the same transaction as its cause.

    ``dedupe_key`` (e.g. ``quote_approved:42``) is unique per workspace, so a cause that runs
    twice (a webhook delivered again, a replayed request) never files a second item. The
    names (customer, contact, assignee, whoever marked it done) are copied in when written:
    the item reads the same after the customer is deleted (``customer_deleted``). The record
    references (job, quote, invoice, payment, request, outbox email) are plain ids, not
    foreign keys: a record deleted later leaves the item and its story intact, and opening
    the record says it is gone.
    """

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        # The inbox reads newest first under any of these filters; each ends in the order.
        Index("ix_follow_up_ws_happened", "workspace_id", "happened_at", "id"),
        Index("ix_follow_up_ws_state_kind", "workspace_id", "state", "kind", "happened_at", "id"),
        Index("ix_follow_up_ws_kind", "workspace_id", "kind", "happened_at", "id"),
        Index(
            "ix_follow_up_ws_assignee", "workspace_id", "assignee_id", "state", "happened_at", "id"
        ),
        Index("ix_follow_up_customer", "customer_id"),
        Index("ix_follow_up_contact", "contact_id"),
        Index("ix_follow_up_request", "service_request_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(10), default="open")
    dedupe_key: Mapped[str] = mapped_column(String(200))
    happened_at: Mapped[datetime] = mapped_column(default=utcnow)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), default=None
    )
    customer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    customer_deleted: Mapped[bool] = mapped_column(default=False)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), default=None
    )
    contact_name: Mapped[str | None] = mapped_column(String(200), default=None)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Lower-cased title, customer and contact names: what the inbox's text search reads.
    search_text: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    quote_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    invoice_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    payment_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    service_request_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    outbox_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    request_status: Mapped[str | None] = mapped_column(String(20), default=None)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    assignee_name: Mapped[str | None] = mapped_column(String(200), default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    done_note: Mapped[str | None] = mapped_column(Text, default=None)
    done_by_name: Mapped[str | None] = mapped_column(String(200), default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
