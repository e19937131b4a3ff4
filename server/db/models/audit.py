"""Audit trail and the change log that feeds the console's sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, utcnow


class AuditEvent(Base):
    """Who did what, to which customer or account, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_ws_created", "workspace_id", "id"),
        Index("ix_audit_customer", "customer_id", "id"),
        # The readiness checklist asks for the newest event of one kind (last publish, last
        # preview) without reading the whole trail.
        Index("ix_audit_ws_action", "workspace_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(default=None)
    contact_id: Mapped[int | None] = mapped_column(default=None)
    actor_kind: Mapped[str] = mapped_column(String(20))  # staff | customer | crm | system
    actor_id: Mapped[int | None] = mapped_column(default=None)
    actor_name: Mapped[str | None] = mapped_column(String(200), default=None)
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Change(Base):
    """The latest change of one record, under a new sequence number each time it changes.

    One row per (workspace, entity, entity_id): a write deletes the old row and inserts a new
    one, so the feed from cursor 0 is a full snapshot and incremental reads stay short.
    Delete tombstones older than the retention are pruned and raise ``changes_horizon``.

    ``customer_id`` names the customer whose portal pages the record shows on (None for what
    every customer's pages show: the workspace, its branding and policy, its team), so a
    kept page is judged stale by its own customer's changes only.
    """

    __tablename__ = "change"
    __table_args__ = (
        UniqueConstraint("workspace_id", "entity", "entity_id"),
        Index("ix_change_ws_seq", "workspace_id", "seq"),
        Index("ix_change_ws_customer_seq", "workspace_id", "customer_id", "seq"),
        # The newest change of one kind of record, in one index step (the readiness
        # checklist recounts contact emails only when a contact changed).
        Index("ix_change_ws_entity_seq", "workspace_id", "entity", "seq"),
        # Never reuse a sequence number, even after the newest row is deleted.
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int]
    op: Mapped[str] = mapped_column(String(10))  # upsert | delete
    # No foreign key: a delete tombstone outlives the customer it names.
    customer_id: Mapped[int | None] = mapped_column(BigId, default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
