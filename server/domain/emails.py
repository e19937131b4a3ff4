"""Contact email addresses: the rule lives in ``server.wire.emails`` so the console shares it."""

from __future__ import annotations

from server.wire.emails import email_problem, normalise_email

__all__ = ["email_problem", "normalise_email"]
