"""The emails the portal sends, rendered from the workspace's branding.

This first version renders plain but complete messages; branded HTML templates replace the
bodies without changing these signatures.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from server.wire.branding import Branding


@dataclass(frozen=True)
class Message:
    """A rendered email: subject, plain text, HTML and the main link (shown to staff)."""

    subject: str
    text: str
    html: str
    link: str | None = None


def _fill(template: str, **values: str) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def invite_message(branding: Branding, contact_name: str, customer_name: str, link: str) -> Message:
    """The invitation to set a password and open the portal."""
    values = {
        "brand_name": branding.brand_name,
        "contact_name": contact_name,
        "customer_name": customer_name,
    }
    subject = _fill(branding.invite_subject, **values)
    body = _fill(branding.invite_message, **values)
    text = f"{body}\n\nSet your password: {link}\n\nThis link works for 7 days.\n"
    html = (
        f"<p>{escape(body).replace(chr(10), '<br>')}</p>"
        f'<p><a href="{escape(link)}">Set your password</a></p><p>This link works for 7 days.</p>'
    )
    return Message(subject, text, html, link)


def reset_message(branding: Branding, contact_name: str, link: str) -> Message:
    """A password reset link."""
    subject = f"Reset your {branding.brand_name} portal password"
    text = (
        f"Hello {contact_name},\n\nUse this link to choose a new password: {link}\n\n"
        "It works for one hour. If you did not ask for this, you can ignore this email.\n"
    )
    html = (
        f"<p>Hello {escape(contact_name)},</p>"
        f'<p><a href="{escape(link)}">Choose a new password</a></p>'
        "<p>It works for one hour. If you did not ask for this, you can ignore this email.</p>"
    )
    return Message(subject, text, html, link)
