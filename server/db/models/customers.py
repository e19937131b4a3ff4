"""Customers (households or companies), their contacts and service addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, validates

from server.db.base import Base, BigId, utcnow
from server.wire.emails import email_problem


class Customer(Base):
    """A household or company the business works for.

    ``search_text`` and the ``access_*`` columns are denormalised summaries kept up to date by
    the domain services, so that search and the portal-status filter stay one indexed scan.
    """

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_customer_ws_name", "workspace_id", "sort_name", "id"),
        # The portal-status filter walks this index in list order; the two times at the end
        # let it tell invited from expired and active from locked without reading the rows.
        Index(
            "ix_customer_ws_access",
            "workspace_id",
            "access_status",
            "sort_name",
            "id",
            "access_invite_expires_at",
            "access_locked_until",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    name: Mapped[str] = mapped_column(String(200))
    sort_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="household")
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    search_text: Mapped[str] = mapped_column(Text, default="")
    primary_contact_id: Mapped[int | None] = mapped_column(default=None)
    primary_contact_name: Mapped[str | None] = mapped_column(String(200), default=None)
    primary_email: Mapped[str | None] = mapped_column(String(320), default=None)
    address_line: Mapped[str | None] = mapped_column(String(400), default=None)
    access_status: Mapped[str] = mapped_column(String(20), default="not_invited")
    access_invite_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    access_locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    """A person at a customer. ``email_normalized`` is the lower-cased, trimmed email.

    ``email_invalid`` is kept with it (set whenever ``email_normalized`` is), so the
    readiness checklist counts invalid addresses from an index instead of judging every
    address in Python. Writes that bypass the ORM (the demo seed) set both themselves, and a
    change to the rule (``email_problem``) needs a migration that judges stored ones again.
    """

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_contact_ws_email", "workspace_id", "email_normalized"),
        # Covers the readiness count of email problems: no contact row is read.
        Index("ix_contact_ws_email_customer", "workspace_id", "email_normalized", "customer_id"),
        Index("ix_contact_ws_email_invalid", "workspace_id", "email_invalid"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    email_normalized: Mapped[str | None] = mapped_column(String(320), default=None)
    email_invalid: Mapped[bool] = mapped_column(default=False, server_default=false())
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    role: Mapped[str] = mapped_column(String(40), default="primary")
    is_primary: Mapped[bool] = mapped_column(default=False)
    # The contact's own IANA time zone when it differs from the business's (from the CRM or
    # the office); None means "the business's". Portal times then name the business's zone.
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("email_normalized")
    def _judge_email(self, _key: str, value: str | None) -> str | None:
        self.email_invalid = email_invalid(value)
        return value


def email_invalid(normalized: str | None) -> bool:
    """Whether a present address is one an invite cannot go to (a missing one is not
    invalid: the clean-up counts it as missing)."""
    return bool(normalized) and email_problem(normalized) is not None


class Address(Base):
    """A service address of a customer."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(60), default="Home")
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200), default=None)
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100), default=None)
    postcode: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def one_line(self) -> str:
        """The address on one line, as shown to people."""
        parts = [self.line1, self.line2, self.city, self.region, self.postcode]
        return ", ".join(p for p in parts if p)
