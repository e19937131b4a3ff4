"""Branding: how the portal and its emails look and whom customers can contact."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from server.wire.base import Request, Response, RowId

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_INVITE_SUBJECT = "Your {brand_name} customer portal is ready"
DEFAULT_INVITE_MESSAGE = (
    "Hello {contact_name},\n\n"
    "You can now see your jobs, approve quotes and pay invoices online. "
    "Choose a password to get started."
)
DEFAULT_RESET_SUBJECT = "Reset your {brand_name} portal password"
DEFAULT_RESET_MESSAGE = (
    "Hello {contact_name},\n\n"
    "Someone asked to reset the password for your {brand_name} customer portal. "
    "Use the link below to choose a new one."
)
DEFAULT_RECEIPT_SUBJECT = "Receipt for your payment of {amount} to {brand_name}"
DEFAULT_RECEIPT_MESSAGE = (
    "Hello {contact_name},\n\n"
    "Thank you. We received your payment of {amount} for invoice {invoice_number}."
)
INVITE_PLACEHOLDERS = frozenset({"brand_name", "contact_name", "customer_name"})
RESET_PLACEHOLDERS = frozenset({"brand_name", "contact_name"})
RECEIPT_PLACEHOLDERS = frozenset({"brand_name", "contact_name", "amount", "invoice_number"})
# Which placeholders each email's wording may use (the email kind is the field's prefix).
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "invite": INVITE_PLACEHOLDERS,
    "reset": RESET_PLACEHOLDERS,
    "receipt": RECEIPT_PLACEHOLDERS,
}
EMAIL_KINDS = tuple(PLACEHOLDERS)


def placeholder_problem(kind: str, value: str) -> str | None:
    """Why this wording of the ``kind`` email cannot be sent, or None.

    Braces that do not make a known placeholder would reach customers as typed.
    """
    allowed = PLACEHOLDERS[kind]
    names = ", ".join("{" + n + "}" for n in sorted(allowed))
    for name in _PLACEHOLDER.findall(value):
        if name not in allowed:
            return f"Unknown placeholder {{{name}}}; you can use {names}."
    rest = _PLACEHOLDER.sub("", value)
    if "{" in rest or "}" in rest:
        return f"A brace is not closed. Placeholders look like {{brand_name}}; you can use {names}."
    return None


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
    reset_subject: str = Field(default=DEFAULT_RESET_SUBJECT, min_length=1, max_length=150)
    reset_message: str = Field(default=DEFAULT_RESET_MESSAGE, min_length=1, max_length=2000)
    receipt_subject: str = Field(default=DEFAULT_RECEIPT_SUBJECT, min_length=1, max_length=150)
    receipt_message: str = Field(default=DEFAULT_RECEIPT_MESSAGE, min_length=1, max_length=2000)

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

    @field_validator(
        "invite_subject",
        "invite_message",
        "reset_subject",
        "reset_message",
        "receipt_subject",
        "receipt_message",
    )
    @classmethod
    def _placeholders(cls, value: str, info: ValidationInfo) -> str:
        kind = str(info.field_name).split("_", 1)[0]
        problem = placeholder_problem(kind, value)
        if problem:
            raise ValueError(problem)
        return value


class BrandingDoc(Response):
    """``GET /api/v1/branding``: the published branding and the draft, if any."""

    published: Branding
    draft: Branding | None
    version: int


def default_branding(workspace_name: str) -> Branding:
    """The branding of a new workspace."""
    return Branding(brand_name=workspace_name[:80] or "Customer portal")


class BrandingPreviewRequest(Request):
    """``POST /api/v1/branding/preview``: a branding (usually the unsaved form) and a page."""

    branding: Branding
    page: Literal["sign_in", "coming_soon"] = "sign_in"


EmailKind = Literal["invite", "reset", "receipt"]


class EmailPreviewRequest(Request):
    """``POST /api/v1/branding/emails/preview`` and ``…/test``: which email, which wording."""

    kind: EmailKind
    branding: Branding


class EmailPreview(Response):
    """An email exactly as the portal would send it, with sample names filled in."""

    kind: str
    subject: str
    text: str
    html: str
    to: str | None = None
