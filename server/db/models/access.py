"""Portal accounts and the tokens and sessions that belong to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, utcnow


def _day_index(column: str) -> Index:
    """SQLite only: the accounts with ``column`` set, by workspace and UTC day (the stored
    text's date, as ``date()`` reads it), so the weekly adoption chart counts each day from
    the index in order instead of sorting every account. Partial, so that only a query which
    itself says ``column IS NOT NULL`` may use it: the chart for everyone does, a pilot
    group's does not and starts from its members. PostgreSQL groups the covering adoption
    index's rows by hashing, without a sort, and needs none. SQLAlchemy's reflection skips
    expression indexes, so a batch (table copy) migration of this table would drop them."""
    return Index(
        f"ix_portal_account_{column}_day",
        "workspace_id",
        text(f"date({column})"),
        column,
        sqlite_where=text(f"{column} IS NOT NULL"),
    ).ddl_if(dialect="sqlite")


ADOPTION_DAY_INDEXES = (_day_index("created_at"), _day_index("password_changed_at"))


class PortalAccount(Base):
    """A contact's sign-in to the portal: status ``invited | active | disabled``."""

    __tablename__ = "portal_account"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email_normalized"),
        # Covers the adoption funnel and weekly chart: counted without reading account rows.
        Index(
            "ix_portal_account_adoption",
            "workspace_id",
            "customer_id",
            "created_at",
            "password_changed_at",
            "last_sign_in_at",
        ),
        *ADOPTION_DAY_INDEXES,
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    email_normalized: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="invited")
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    disabled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    last_action: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invite(Base):
    """An invitation link (7 days). Only the SHA-256 digest of the token is kept."""

    __tablename__ = "invite"
    __table_args__ = (
        # The readiness checklist counts held invites without walking every invite.
        Index("ix_invite_ws_held", "workspace_id", "held"),
        # The held-invite sender looks for held invites every few seconds in every worker:
        # only the (few) held rows are in this index.
        Index(
            "ix_invite_held",
            "workspace_id",
            sqlite_where=text("held"),
            postgresql_where=text("held"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    outbox_id: Mapped[int | None] = mapped_column(default=None)
    # Made while the portal was coming soon: no email yet and no usable link. Going live sends
    # it with a fresh link, and its 7 days start then (``held_invites.release_batch``).
    held: Mapped[bool] = mapped_column(default=False, server_default=false())


class ResetToken(Base):
    """A password reset link (1 hour), single use, stored as a digest."""

    __tablename__ = "reset_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )


class PortalSession(Base):
    """A server-side portal session (customer or staff preview); the cookie holds the token."""

    __tablename__ = "portal_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    # None only for a staff preview of a contact not yet invited (``contact_id`` names them).
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), default=None
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    preview_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), default=None
    )
    preview_options: Mapped[dict[str, Any] | None] = mapped_column(default=None)
