"""What the follow-up inbox says: kind names, times, amounts, who did what, and each kind's
detail lines. Plain text only (no Qt), so every sentence is tested without a window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from server.wire.follow_up_kinds import FOLLOW_UP_KINDS

KIND_LABELS: dict[str, str] = {
    "quote_approved": "Quote approved",
    "quote_declined": "Quote declined",
    "invoice_paid": "Invoice paid",
    "service_request": "Service request",
    "sign_in_trouble": "Sign-in trouble",
    "refund_needed": "Refund needed",
    "mail_failed": "Mail failed",
}
assert set(KIND_LABELS) == set(FOLLOW_UP_KINDS), "every kind of the wire has a label"

TROUBLE_LABELS = {
    "locked": "Account locked after too many wrong passwords",
    "expired_invite_clicked": "Clicked an invite link that had expired",
    "reset_requested": "Asked for a password reset",
}
REQUEST_STATUS_LABELS = {
    "requested": "New request: waiting for the office",
    "needs_info": "Waiting for the customer's answer",
    "accepted": "Accepted and scheduled",
    "declined": "Declined",
}
METHOD_LABELS = {"card": "Card", "ach": "Bank transfer", "cash": "Cash", "check": "Cheque"}
_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "GBP": "£", "EUR": "€"}


def parse_time(value: Any) -> datetime | None:
    """A wire time (ISO text or datetime) as an aware datetime, or None."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def when(value: Any, now: datetime | None = None) -> str:
    """A time as a dispatcher reads it: "10:02" today, "Tue 3 Mar 10:02" otherwise."""
    moment = parse_time(value)
    if moment is None:
        return "—"
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local:%a} {local.day} {local:%b %H:%M}"
    return f"{local.day} {local:%b %Y %H:%M}"


def short_when(value: Any, now: datetime | None = None) -> str:
    """A time for the inbox's narrow column: "10:02" today, "3 Mar 10:02" this year,
    "3 Mar 2025" before."""
    moment = parse_time(value)
    if moment is None:
        return "—"
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day} {local:%b %H:%M}"
    return f"{local.day} {local:%b %Y}"


def money(cents: int | None, currency: str | None) -> str:
    """An amount such as "$1,240.00" (the currency code when it has no symbol here)."""
    if cents is None:
        return "—"
    code = (currency or "USD").upper()
    sign = "-" if cents < 0 else ""
    amount = f"{abs(cents) / 100:,.2f}"
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {code}"


def done_line(item: Mapping[str, Any]) -> str:
    """ "Done by Sam Carter at 10:02: called back" for a done item ("" while open)."""
    if item.get("state") != "done":
        return ""
    who = item.get("done_by_name") or "someone"
    line = f"Done by {who} at {when(item.get('done_at'))}"
    note = item.get("done_note")
    return f"{line}: {note}" if note else line


def holder_line(item: Mapping[str, Any], me_id: int | None = None) -> str:
    """Who holds an open item: "Nobody has taken this yet.", "You took this at 10:02."."""
    if item.get("assignee_id") is None:
        return "Nobody has taken this yet."
    at = item.get("assigned_at")
    since = f" at {when(at)}" if at else ""
    if me_id is not None and item.get("assignee_id") == me_id:
        return f"You took this{since}."
    since = f" since {when(at)}" if at else ""
    return f"{item.get('assignee_name') or 'Someone'} has had this{since}."


def clash_message(current: Mapping[str, Any], server_says: str, me_id: int | None = None) -> str:
    """Why a change did not go through, from the item as it now is (after a 409 or 412)."""
    if current.get("state") == "done":
        done = done_line(current).rstrip(".")
        return f"{done}. Nothing was changed; reopen it if more is needed."
    holder = current.get("assignee_id")
    if holder is not None and holder != me_id:
        at = current.get("assigned_at")
        since = f" at {when(at)}" if at else ""
        name = current.get("assignee_name") or "Someone else"
        return f"{name} took this{since}. It now shows as they left it."
    return f"{server_says} It now shows as it is on the server."


def detail_lines(item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The label/value lines of an item's detail pane, by kind (empty values left out)."""
    d: Mapping[str, Any] = item.get("details") or {}
    kind = item.get("kind")
    lines: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in (None, "", []):
            lines.append((label, str(value)))

    amount = money(d.get("amount_cents"), d.get("currency")) if d.get("amount_cents") else None
    if kind == "quote_approved":
        add("Quote", d.get("quote_number"))
        add("Amount", amount)
        add("Approved by (typed name)", d.get("typed_name"))
        add("Approved at", when(item.get("happened_at")))
    elif kind == "quote_declined":
        add("Quote", d.get("quote_number"))
        add("Amount", amount)
        add("Reason given", d.get("reason") or "No reason given")
    elif kind in ("invoice_paid", "refund_needed"):
        add("Invoice", d.get("invoice_number"))
        add("Amount", amount)
        add("Method", METHOD_LABELS.get(d.get("method") or "", d.get("method")))
        add("Receipt", d.get("receipt_number"))
        if d.get("balance_cents") is not None:
            add("Still owed", money(d.get("balance_cents"), d.get("currency")))
        if kind == "refund_needed":
            add("Why a refund", d.get("reason"))
            # The console cannot refund: say where it is done and how to close the item.
            add(
                "What to do",
                "Refund it where the payment was taken (the payment provider's dashboard), "
                "then mark this done with the refund's reference.",
            )
    elif kind == "service_request":
        add("Where it stands", REQUEST_STATUS_LABELS.get(item.get("request_status") or ""))
        add("Job", d.get("job_number"))
        add("What they need", d.get("description"))
        add("Preferred times", d.get("preferred_times"))
        add("Address", d.get("address"))
        if d.get("photo_ids"):
            add("Photos", f"{len(d['photo_ids'])} (held for review until shared)")
        add("We asked", d.get("question"))
        add("They answered", d.get("answer"))
        add("Declined because", d.get("reason"))
        if d.get("scheduled_start"):
            add("Scheduled", f"{when(d['scheduled_start'])} to {when(d.get('scheduled_end'))}")
        add("Technician", d.get("technician_name"))
    elif kind == "sign_in_trouble":
        add("What happened", TROUBLE_LABELS.get(d.get("trouble") or "", d.get("trouble")))
        add("Email", d.get("email"))
        if d.get("locked_until"):
            add("Locked until", when(d["locked_until"]))
    elif kind == "mail_failed":
        add("To", d.get("to_address"))
        add("Subject", d.get("subject"))
        add("Error", d.get("error"))
        add("Attempts", d.get("attempts"))
    return lines


# The Access action that fixes each kind of sign-in trouble (see app.access.ACTIONS).
TROUBLE_FIX: dict[str, tuple[str, str]] = {
    "locked": ("unlock", "Unlock the account"),
    "expired_invite_clicked": ("resend", "Send a new invite"),
    "reset_requested": ("reset", "Send a reset link"),
}


def portal_path(item: Mapping[str, Any]) -> str | None:
    """The portal page that shows the item's record as the contact saw it (None: none)."""
    if item.get("customer_deleted"):
        return None
    for key, path in (
        ("quote_id", "/quotes/{}"),
        ("payment_id", "/receipts/{}"),
        ("invoice_id", "/invoices/{}"),
        ("service_request_id", "/requests/{}"),
        ("job_id", "/jobs/{}"),
    ):
        if item.get(key) is not None:
            return path.format(int(item[key]))
    return None
