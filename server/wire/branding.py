"""Branding: how the portal and its emails look and whom customers can contact."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from server.wire.base import Request, Response, RowId

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DEFAULT_INVITE_SUBJECT = "Your {brand_name} customer portal is ready"
DEFAULT_INVITE_MESSAGE = (
    "Hello {contact_name},\n\n"
    "You can now see your jobs, approve quotes and pay invoices online. "
    "Choose a password to get started."
)
INVITE_PLACEHOLDERS = frozenset({"brand_name", "contact_name", "customer_name"})


class Branding(Request):
    """A complete branding. ``logo_file_id`` is set by uploading a logo, not typed in."""

    brand_name: str = Field(min_length=1, max_length=80)
    primary_color: str = "#1f5f8b"
    accent_color: str = "#e8a33d"
    logo_file_id: RowId | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)
    address: str | None = Field(default=None, max_length=300)
    hours: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=300)
    invite_subject: str = Field(default=DEFAULT_INVITE_SUBJECT, min_length=1, max_length=150)
    invite_message: str = Field(default=DEFAULT_INVITE_MESSAGE, min_length=1, max_length=2000)

    @field_validator("primary_color", "accent_color")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError("Use a colour like #1F5F8B.")
        return value.lower()

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not EMAIL.match(value):
            raise ValueError("That is not an email address.")
        return value

    @field_validator("website")
    @classmethod
    def _website(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
            raise ValueError("Use a full web address starting with https://.")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^[0-9+()\-. ]{5,40}$", value):
            raise ValueError("Use digits, spaces and + ( ) - . only.")
        return value

    @field_validator("invite_subject", "invite_message")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        used = set(re.findall(r"\{([^{}]*)\}", value))
        unknown = used - INVITE_PLACEHOLDERS
        if unknown:
            names = ", ".join("{" + n + "}" for n in sorted(INVITE_PLACEHOLDERS))
            raise ValueError(f"Unknown placeholder {{{sorted(unknown)[0]}}}; you can use {names}.")
        return value


class BrandingDoc(Response):
    """``GET /api/v1/branding``: the published branding and the draft, if any."""

    published: Branding
    draft: Branding | None
    version: int


def default_branding(workspace_name: str) -> Branding:
    """The branding of a new workspace."""
    return Branding(brand_name=workspace_name[:80] or "Customer portal")
