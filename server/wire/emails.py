"""Contact email addresses: the normal form and whether an invite can be sent to one.

Part of the contract: the server refuses what ``email_problem`` finds, and the console uses the
same rule to stop a bad address before it is sent and to count what the clean-up lists.
"""

from __future__ import annotations

import re

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased: the form used for uniqueness and look-ups."""
    return email.strip().lower()


def email_problem(email: str | None) -> str | None:
    """What is wrong with this address, in plain English, or None when an invite can go to it.

    Deliberately practical rather than the full RFC 5322 grammar: it accepts what mail
    providers hand out and catches the typing slips a clean-up should catch (missing @,
    two @, spaces, no dot in the domain, a trailing dot, a comma for a dot). Each answer names
    the problem ("This email has no @"), not the rule.
    """
    if email is None or not email.strip():
        return "There is no email address."
    value = normalise_email(email)
    if len(value) > 254:
        return "This email is too long to be a real address (over 254 characters)."
    if "@" not in value:
        return "This email has no @."
    if value.count("@") > 1:
        return "This email has more than one @."
    if any(ch.isspace() for ch in value):
        return "This email has a space in it."
    local, domain = value.split("@")
    if not local:
        return "This email has nothing before the @."
    if not domain:
        return "This email has nothing after the @."
    if "," in domain:
        return "This email has a comma after the @ (a dot was meant?)."
    if len(local) > 64 or not _LOCAL.match(local) or ".." in local:
        return "This email has characters before the @ that an address cannot hold."
    if local.startswith(".") or local.endswith("."):
        return "This email starts or ends with a dot before the @."
    labels = domain.split(".")
    if len(labels) < 2:
        return "This email has no dot after the @ (like example.com)."
    if not all(_LABEL.match(label) for label in labels):
        return "The part of this email after the @ is not a domain name."
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return "This email does not end in a domain ending like .com or .co.uk."
    return None
