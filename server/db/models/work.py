"""The work a business does for a customer: jobs, quotes, invoices, payments, requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, utcnow


class Job(Base):
    """A job. ``internal_status`` is mapped to a customer-facing label by the visibility policy."""

    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id"),
        Index("ix_job_customer", "customer_id", "scheduled_start"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    internal_status: Mapped[str] = mapped_column(String(40))
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("address.id", ondelete="SET NULL"), default=None
    )
    technician_name: Mapped[str | None] = mapped_column(String(200), default=None)
    internal_notes: Mapped[str | None] = mapped_column(Text, default=None)
    scheduled_start: Mapped[datetime | None] = mapped_column(default=None)
    scheduled_end: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(20), default="office")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Quote(Base):
    """A quote: ``pending | approved | declined | expired``; approval is single-shot."""

    __tablename__ = "quote"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), default=None
    )
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_cents: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_name: Mapped[str | None] = mapped_column(String(200), default=None)
    approved_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_by_contact_id: Mapped[int | None] = mapped_column(default=None)
    declined_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuoteLine(Base):
    """A line of a quote; ``unit_cost_cents`` is the business's own cost (internal)."""

    __tablename__ = "quote_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price_cents: Mapped[int] = mapped_column(default=0)
    unit_cost_cents: Mapped[int | None] = mapped_column(default=None)
    total_cents: Mapped[int] = mapped_column(default=0)


class Invoice(Base):
    """An invoice: ``open | paid | void``, with the balance still owed."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), default=None
    )
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="open")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_cents: Mapped[int] = mapped_column(default=0)
    balance_cents: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceLine(Base):
    """A line of an invoice."""

    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price_cents: Mapped[int] = mapped_column(default=0)
    unit_cost_cents: Mapped[int | None] = mapped_column(default=None)
    total_cents: Mapped[int] = mapped_column(default=0)


class Payment(Base):
    """A payment against an invoice (office-recorded, CRM-pushed or through the portal)."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    method: Mapped[str] = mapped_column(String(40), default="card")
    provider: Mapped[str] = mapped_column(String(20), default="office")
    provider_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(20), default="succeeded")
    receipt_number: Mapped[str | None] = mapped_column(String(40), default=None)
    paid_by_contact_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)


class ServiceRequest(Base):
    """A customer's request for work; it arrives as a job in "requested" in the office queue,
    which the office accepts (scheduled), asks about (needs_info) or declines."""

    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), default=None
    )
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("address.id", ondelete="SET NULL"), default=None
    )
    description: Mapped[str] = mapped_column(Text)
    preferred_times: Mapped[str | None] = mapped_column(String(500), default=None)
    # requested | needs_info (the office asked a question) | accepted | declined
    status: Mapped[str] = mapped_column(String(20), default="requested")
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The office's question and the customer's answer, both shown on the portal's page.
    question: Mapped[str | None] = mapped_column(Text, default=None)
    asked_at: Mapped[datetime | None] = mapped_column(default=None)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    # Shown to the customer when the office declines.
    decline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
