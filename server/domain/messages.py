"""The emails the portal sends, rendered from Jinja templates with the workspace's branding.

Every message has an HTML part and a plain-text part with the same words, the brand's logo
or name, its colours and the office's contact details. ``link`` is the message's main link,
shown to staff while the email is pending so they can pass it on by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from server.domain.local_formats import Localised, format_amount, format_day
from server.wire.branding import Branding

_PORTAL_LINK = re.compile(r"^(https?://[^/\s]+(?:/[^/\s]+)*?/p/[a-z0-9-]+)/")


@dataclass(frozen=True)
class _Formats:
    time_zone: str | None
    locale: str


# A receipt rendered without a workspace (tests, the console's samples): US English, UTC.
UTC_EN_US = _Formats(None, "en_US")
_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"

# HTML parts are autoescaped; plain-text parts are not (they are never read as markup).
_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def compile_messages() -> int:
    """Compile every email template now (see ``render.compile_pages``); answers how many."""
    names = _env.list_templates()
    for name in names:
        _env.get_template(name)
    return len(names)


@dataclass(frozen=True)
class Message:
    """A rendered email: subject, plain text, HTML and the main link (shown to staff)."""

    subject: str
    text: str
    html: str
    link: str | None = None


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on a background colour (WCAG luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    # Contrast against white is 1.05/(L+0.05); against near-black (#111) about (L+0.05)/0.056.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.056 else "#111111"


def _one_line(value: str) -> str:
    # A subject is a header: a line break in staff-written text must not start a new header.
    return " ".join(value.split())


def _fill(template: str, **values: str) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def portal_logo_url(branding: Branding, link: str | None) -> str | None:
    """The published logo's address, found from the portal link the email carries."""
    if branding.logo_file_id is None or not link:
        return None
    match = _PORTAL_LINK.match(link)
    return f"{match.group(1)}/logo/{branding.logo_file_id}" if match else None


def _render(name: str, branding: Branding, logo_url: str | None, **values: Any) -> tuple[str, str]:
    logo_url = logo_url or portal_logo_url(branding, values.get("link"))
    contact = [
        (label, value)
        for label, value in (
            ("Phone", branding.phone),
            ("Email", branding.email),
            ("Address", branding.address),
            ("Hours", branding.hours),
            ("Website", branding.website),
        )
        if value
    ]
    context = {
        "brand": branding,
        "logo_url": logo_url,
        "header_text": text_on(branding.primary_color),
        "button_text": text_on(branding.primary_color),
        "contact": contact,
        **values,
    }
    html = _env.get_template(f"{name}.html").render(context)
    text = _env.get_template(f"{name}.txt").render(context)
    return text, html


def _wording(kind: str, branding: Branding, **values: str) -> tuple[str, list[str]]:
    """The subject and paragraphs of an email in the office's own words, placeholders filled."""
    subject = _one_line(_fill(getattr(branding, f"{kind}_subject"), **values))
    body = _fill(getattr(branding, f"{kind}_message"), **values)
    return subject, [p.strip() for p in body.split("\n\n") if p.strip()]


def invite_message(
    branding: Branding,
    contact_name: str,
    customer_name: str,
    link: str,
    *,
    logo_url: str | None = None,
) -> Message:
    """The invitation to set a password and open the portal, in the office's own words."""
    subject, paragraphs = _wording(
        "invite",
        branding,
        brand_name=branding.brand_name,
        contact_name=contact_name,
        customer_name=customer_name,
    )
    text, html = _render(
        "invite", branding, logo_url, subject=subject, paragraphs=paragraphs, link=link
    )
    return Message(subject, text, html, link)


def reset_message(
    branding: Branding, contact_name: str, link: str, *, logo_url: str | None = None
) -> Message:
    """A password reset link (valid for one hour), in the office's own words."""
    subject, paragraphs = _wording(
        "reset", branding, brand_name=branding.brand_name, contact_name=contact_name
    )
    text, html = _render(
        "reset", branding, logo_url, subject=subject, paragraphs=paragraphs, link=link
    )
    return Message(subject, text, html, link)


def receipt_message(
    branding: Branding,
    contact_name: str,
    *,
    invoice_number: str | None,
    receipt_number: str,
    amount_cents: int,
    currency: str,
    paid_at: datetime,
    balance_cents: int | None,
    link: str,
    show_link: bool = True,
    card: str | None = None,
    test_mode: bool = False,
    logo_url: str | None = None,
    formats: Localised = UTC_EN_US,
) -> Message:
    """The receipt for a payment made in the portal, amounts and the date in the workspace's
    locale and time zone (``formats``). ``invoice_number`` and ``balance_cents`` are None when
    the visibility policy hides them, and ``show_link`` is False when it hides payments (the
    receipt page would not open): the email then says nothing of them."""
    amount = format_amount(amount_cents, currency, formats)
    subject, paragraphs = _wording(
        "receipt",
        branding,
        brand_name=branding.brand_name,
        contact_name=contact_name,
        amount=amount,
        invoice_number=invoice_number or "",
    )
    text, html = _render(
        "receipt",
        branding,
        logo_url,
        subject=subject,
        paragraphs=paragraphs,
        invoice_number=invoice_number,
        receipt_number=receipt_number,
        amount=amount,
        balance=(
            format_amount(balance_cents, currency, formats) if balance_cents is not None else None
        ),
        paid_on=format_day(paid_at, formats),
        card=card,
        test_mode=test_mode,
        link=link if show_link else None,
    )
    return Message(subject, text, html, link if show_link else None)


def masked_address(email: str) -> str:
    """An address shown only in part (``j***@example.com``): enough to recognise, not to use."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def email_changed_message(
    branding: Branding, contact_name: str, new_address: str, *, logo_url: str | None = None
) -> Message:
    """To the old address: the portal sign-in moved to another address (no link in it)."""
    subject = _one_line(f"Your {branding.brand_name} portal sign-in email was changed")
    text, html = _render(
        "email_changed",
        branding,
        logo_url,
        subject=subject,
        contact_name=contact_name,
        new_address=masked_address(new_address),
    )
    return Message(subject, text, html, None)


def _request_update(
    branding: Branding,
    contact_name: str,
    request_text: str,
    link: str,
    *,
    subject: str,
    opening: str,
    quoted: str,
    button_label: str,
) -> Message:
    short = _one_line(request_text)
    short = short if len(short) <= 160 else short[:159] + "…"
    text, html = _render(
        "request_update",
        branding,
        None,
        subject=subject,
        preheader=opening,
        contact_name=contact_name,
        opening=opening,
        quoted=quoted,
        request_text=short,
        button_label=button_label,
        link=link,
    )
    return Message(subject, text, html, link)


def request_question_message(
    branding: Branding, contact_name: str, request_text: str, question: str, link: str
) -> Message:
    """The office needs more before it can book a service request: its question, and where
    to answer it on the portal."""
    return _request_update(
        branding,
        contact_name,
        request_text,
        link,
        subject=_one_line(f"{branding.brand_name} has a question about your service request"),
        opening="Thank you for your request. Before we can book it, we need to know a little more:",
        quoted=question,
        button_label="Answer the question",
    )


def request_declined_message(
    branding: Branding, contact_name: str, request_text: str, reason: str, link: str
) -> Message:
    """The office cannot take on a service request, and why."""
    return _request_update(
        branding,
        contact_name,
        request_text,
        link,
        subject=_one_line(f"About your service request to {branding.brand_name}"),
        opening="Thank you for your request. We are sorry, but we cannot take it on:",
        quoted=reason,
        button_label="See your request",
    )
