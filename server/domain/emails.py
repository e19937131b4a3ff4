"""Contact email addresses: the normal form and whether an invite can be sent to one."""

from __future__ import annotations

import re

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased: the form used for uniqueness and look-ups."""
    return email.strip().lower()


def email_problem(email: str | None) -> str | None:
    """Why an invite cannot be sent to this address, in plain English, or None.

    Deliberately practical rather than the full RFC 5322 grammar: it accepts what mail
    providers hand out and refuses the typing slips a clean-up should catch (missing @,
    two @, spaces, no dot in the domain, a trailing dot, a comma for a dot).
    """
    if email is None or not email.strip():
        return "There is no email address."
    value = normalise_email(email)
    if len(value) > 254:
        return "The email address is too long."
    if value.count("@") != 1:
        return "An email address has exactly one @."
    local, domain = value.split("@")
    if not local or not domain:
        return "Something is missing before or after the @."
    if len(local) > 64 or not _LOCAL.match(local) or ".." in local:
        return "The part before the @ has characters an email address cannot have."
    if local.startswith(".") or local.endswith("."):
        return "The part before the @ cannot start or end with a dot."
    labels = domain.split(".")
    if len(labels) < 2:
        return "The part after the @ needs a dot, like example.com."
    if not all(_LABEL.match(label) for label in labels):
        return "The part after the @ is not a valid domain name."
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return "The address does not end in a domain like .com or .co.uk."
    return None
