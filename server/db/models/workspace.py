"""A workspace: one trades business, with its shared settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, BigId, utcnow


class Workspace(Base):
    """One business. Every other row belongs to exactly one workspace."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    portal_status: Mapped[str] = mapped_column(String(20), default="coming_soon")
    version: Mapped[int] = mapped_column(default=1)
    branding: Mapped[dict[str, Any]] = mapped_column(default=dict)
    branding_draft: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    branding_version: Mapped[int] = mapped_column(default=1)
    visibility: Mapped[dict[str, Any]] = mapped_column(default=dict)
    visibility_draft: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    visibility_version: Mapped[int] = mapped_column(default=1)
    permissions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    permissions_version: Mapped[int] = mapped_column(default=1)
    payment_provider: Mapped[str] = mapped_column(String(20), default="sandbox")
    changes_horizon: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # IANA name; None until someone sets it (portal times then say "UTC" so none is misread).
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    locale: Mapped[str] = mapped_column(String(20), default="en_US")
    currency: Mapped[str] = mapped_column(String(3), default="USD")


class FormerSlug(Base):
    """A portal path a workspace used before: printed links to it keep redirecting."""

    __tablename__ = "former_slug"

    slug: Mapped[str] = mapped_column(String(63), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
