"""The kinds of follow-up item, without pydantic (the console names them from its start)."""

from __future__ import annotations

from typing import Literal, get_args

FollowUpKind = Literal[
    "quote_approved",
    "quote_declined",
    "invoice_paid",
    "service_request",
    "sign_in_trouble",
    "refund_needed",
    "mail_failed",
]
# The same kinds as a tuple, in the order the inbox lists them.
FOLLOW_UP_KINDS: tuple[FollowUpKind, ...] = get_args(FollowUpKind)
