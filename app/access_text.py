"""Portal access in plain English: what a dispatcher reads in the Access panel.

Everything here takes the JSON the staff API answers (``PortalAccountOut``, ``AuditEventOut``),
the current time and the workspace's time zone and locale (dates and times are the business's,
by the rules of ``server.wire.local_time``, never this computer's), so the wording is testable
without Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.portal_status import Moment, aware
from server.wire.local_time import Localised, format_clock, format_short_day, local

EMAIL_STATUS = {
    "pending": "queued",
    "sent": "sent",
    "failed": "failed",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def span(seconds: float) -> str:
    """A duration in the largest unit that fits: "5 minutes", "3 hours", "9 days"."""
    seconds = abs(seconds)
    if seconds < 60:
        return "less than a minute"
    if seconds < 3600:
        return _plural(int(seconds // 60), "minute")
    # Rounded, so an invite sent a moment ago "expires in 7 days", not 6.
    if seconds < 86400 - 1800:
        return _plural(round(seconds / 3600), "hour")
    return _plural(round(seconds / 86400), "day")


def ago(moment: Moment, now: datetime) -> str:
    """ "9 days ago", "in 3 hours", "just now"; "never" when there is no time."""
    when = aware(moment)
    if when is None:
        return "never"
    delta = (now - when).total_seconds()
    if abs(delta) < 60:
        return "just now"
    return f"{span(delta)} ago" if delta > 0 else f"in {span(delta)}"


def day(moment: Moment, now: datetime, fmt: Localised) -> str:
    """ "Nov 3" this year, "Nov 3, 2025" otherwise (en_US; "3 Nov" en_GB), in the workspace's
    time zone."""
    when = aware(moment)
    return "" if when is None else format_short_day(when, fmt, now)


def clock(moment: Moment, now: datetime, fmt: Localised) -> str:
    """ "2:05 PM" today, "2:05 PM on Nov 3" another day, in the workspace's time zone (marked
    UTC while the workspace has none)."""
    when = aware(moment)
    if when is None:
        return ""
    text = format_clock(when, fmt)
    if local(when, fmt).date() != local(now, fmt).date():
        text = f"{text} on {format_short_day(when, fmt, now)}"
    return text if fmt.time_zone else f"{text} UTC"


def last_sign_in(moment: Moment, now: datetime) -> str:
    """The table's last sign-in cell."""
    return "Never" if moment is None else ago(moment, now).capitalize()


def describe_account(account: Mapping[str, Any] | None, now: datetime, fmt: Localised) -> str:
    """One contact's portal account as a sentence or two."""
    if account is None:
        return "Not invited to the portal yet."
    status = account.get("portal_status") or account.get("status")
    invite = account.get("invite") or {}
    if status in ("invited", "invite_expired"):
        return _describe_invite(invite, now, fmt)
    if status == "locked":
        attempts = int(account.get("failed_attempts") or 0)
        wrong = _plural(attempts, "wrong password") if attempts else "too many wrong passwords"
        return (
            f"Locked after {wrong} until {clock(account.get('locked_until'), now, fmt)}. "
            "Unlocking lets them try again now; a reset link works even while locked."
        )
    if status == "disabled":
        by = account.get("disabled_by")
        when = day(account.get("disabled_at"), now, fmt)
        reason = (account.get("disabled_reason") or "").strip()
        text = "Disabled" + (f" by {by}" if by else "") + (f" on {when}" if when else "")
        return text + (f": {reason}" if reason else "") + ". They cannot sign in."
    if status == "active":
        seen = account.get("last_sign_in_at")
        text = (
            f"Active; last signed in {ago(seen, now)}."
            if seen
            else "Active; has not signed in since choosing a password."
        )
        attempts = int(account.get("failed_attempts") or 0)
        if attempts:
            text += f" {_plural(attempts, 'wrong password')} since then."
        return text
    return f"Portal status: {status}."


def _describe_invite(invite: Mapping[str, Any], now: datetime, fmt: Localised) -> str:
    if not invite:
        return "Invited, but no invite link is waiting. Send a new invite."
    if invite.get("held") and not invite.get("revoked_at"):
        by = f" by {invite['sent_by']}" if invite.get("sent_by") else ""
        return (
            f"Held until the portal goes live (invited {ago(invite.get('sent_at'), now)}{by}). "
            "The invite email goes out when the portal goes live, and its 7 days start then."
        )
    sent = f"Invite sent {ago(invite.get('sent_at'), now)}"
    if invite.get("sent_by"):
        sent += f" by {invite['sent_by']}"
    if invite.get("revoked_at"):
        return f"{sent}; it was revoked {ago(invite['revoked_at'], now)}."
    expires = aware(invite.get("expires_at"))
    if expires is not None and expires <= now:
        return f"{sent}; it expired {ago(expires, now)}."
    text = (
        f"{sent}; it expires {ago(expires, now)} ({clock(expires, now, fmt)})."
        if expires
        else f"{sent}."
    )
    mail = invite.get("email_status")
    if mail == "failed":
        text += " The email could not be delivered: check the address, then resend."
    elif mail in EMAIL_STATUS:
        text += f" Email {EMAIL_STATUS[mail]}."
    return text


_ACTIONS = {
    "portal.invite_sent": "sent an invite",
    "portal.invite_held": "invited them; the invite is held until the portal goes live",
    "portal.invite_resent": "sent a new invite",
    "portal.invite_revoked": "revoked the invite",
    "portal.invite_accepted": "accepted the invite and chose a password",
    "portal.bulk_invite": "sent an invite (bulk)",
    "portal.access_disabled": "disabled portal access",
    "portal.access_enabled": "enabled portal access again",
    "portal.reset_link_sent": "sent a password reset link",
    "portal.reset_requested": "asked for a password reset link",
    "portal.password_reset": "set a new password from a reset link",
    "portal.password_changed": "changed their password",
    "portal.signed_in": "signed in",
    "portal.locked": "was locked out after too many wrong passwords",
    "portal.unlocked": "unlocked portal access",
    "contact.updated": "changed contact details",
}


def describe_event(event: Mapping[str, Any], now: datetime, fmt: Localised) -> str:
    """One audit event as a timeline line: when, who, what, to whom, and why."""
    action = str(event.get("action", ""))
    what = _ACTIONS.get(action, action.replace("portal.", "").replace("_", " ").replace(".", " "))
    who = event.get("actor_name") or {
        "customer": "The customer",
        "crm": "The CRM",
        "system": "The portal",
    }.get(str(event.get("actor_kind")), "Someone")
    detail = event.get("detail") or {}
    text = f"{clock(event.get('created_at'), now, fmt)}  {who} {what}"
    target = detail.get("email") or detail.get("contact_name")
    if target and event.get("actor_kind") != "customer":
        text += f" ({target})"
    reason = detail.get("reason")
    if reason:
        text += f": {reason}"
    return text
