"""The workspace's own settings: ``/api/v1/workspace``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from pydantic import Field, field_validator

from server.wire.base import Request, Response
from server.wire.local_time import time_zone_problem
from server.wire.rollout import ItemKey

__all__ = ["time_zone_problem"]  # and the models below; the zone rule is ``local_time``'s

PortalState = Literal["coming_soon", "active"]
_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
RESERVED_SLUGS = frozenset({"api", "admin", "static", "healthz", "p", "www", "portal", "assets"})


def slug_problem(slug: str) -> str | None:
    """Why a slug cannot be a portal path, in plain English, or None."""
    if not SLUG_RE.match(slug):
        return (
            "Use 3 to 63 lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit."
        )
    if "--" in slug:
        return "Do not use two hyphens in a row."
    if slug in RESERVED_SLUGS:
        return f"'{slug}' is reserved; choose another."
    return None


def locale_problem(code: str) -> str | None:
    """Why ``code`` is not a locale the portal can format for, or None."""
    if _LOCALE.match(code):
        try:
            Locale.parse(code)
            return None
        except (UnknownLocaleError, ValueError):
            pass
    return "Choose a language and region from the list, like en_US."


def currency_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 4217 currency, or None."""
    if code in list_currencies():
        return None
    return "Use a three-letter currency code from the list, like USD."


class PaymentStatus(Response):
    """Read-only: which payment provider takes card payments, test or live, last webhook."""

    provider: str
    test_mode: bool
    last_webhook_at: datetime | None


class WorkspaceOut(Response):
    """The workspace: its name, public path and whether the portal is open to customers."""

    id: int
    name: str
    slug: str
    portal_status: PortalState
    portal_url: str
    version: int
    time_zone: str | None = None
    locale: str = "en_US"
    currency: str = "USD"
    former_slugs: list[str] = Field(default_factory=list)
    payment: PaymentStatus | None = None


class HeldInvitesOut(Response):
    """``GET /api/v1/workspace/held-invites``: invites held while the portal was coming soon
    that are still to be sent. After a go-live they go out in batches; ``waiting`` falls to 0
    (a portal switched back to coming soon keeps the rest held)."""

    waiting: int
    portal_status: PortalState


class WorkspacePatch(Request):
    """``PATCH /api/v1/workspace``: only the fields given change (needs ``If-Match``).

    Changing the slug moves the portal to a new address; the old address keeps redirecting
    so printed links and links in emails already sent still arrive.
    Switching ``portal_status`` to ``active`` while blocking checklist items are open
    (``GET /api/v1/rollout/readiness``, ``open_blocking``) is refused with 409 unless
    ``acknowledged_open_items`` names every one of them.
    """

    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, min_length=1, max_length=63)
    portal_status: PortalState | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=20)
    currency: str | None = Field(default=None, max_length=10)
    # Going live while blocking readiness items are open needs each one named here.
    acknowledged_open_items: list[ItemKey] | None = None

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str | None) -> str | None:
        if value is not None and (problem := time_zone_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        if value is not None and (problem := locale_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.upper()
            if problem := currency_problem(value):
                raise ValueError(problem)
        return value
