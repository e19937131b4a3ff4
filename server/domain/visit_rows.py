"""What a read-only portal page reads of a visit, as plain frozen rows instead of ORM objects.

A signed-in page needs a few columns of five rows (workspace, session, account, contact,
customer). Loading them as ORM instances (identity map, loader state, every column, each
JSON document decoded) cost several times the statement itself; ``page_visit`` reads only
these columns in one statement built once, and the page gets these rows. They are shared
between requests and threads like the rest of a kept visit: nothing may change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class VisitWorkspace:
    """The workspace columns a page reads: its address, name, settings and local formats."""

    id: int
    slug: str
    name: str
    portal_status: str
    branding: dict[str, Any]
    branding_draft: dict[str, Any] | None
    visibility: dict[str, Any]
    visibility_draft: dict[str, Any] | None
    time_zone: str | None
    locale: str
    currency: str


@dataclass(frozen=True, slots=True)
class VisitSession:
    """The session columns a page reads: what decides whether it works, and its form token."""

    id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    preview_by_id: int | None
    preview_options: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VisitAccount:
    """The portal account columns a page reads."""

    id: int
    status: str
    password_changed_at: datetime | None
    email_normalized: str


@dataclass(frozen=True, slots=True)
class VisitContact:
    """The contact columns a page shows (name) or formats by (time zone)."""

    id: int
    name: str
    email: str | None
    time_zone: str | None


@dataclass(frozen=True, slots=True)
class VisitCustomer:
    """The customer columns a page shows; its id scopes every query of the page."""

    id: int
    name: str
