"""Staff actions on a contact's portal access: disable, enable, send a reset link, unlock.

Each action is safe to repeat: asking for a state the account is already in changes nothing
and writes no audit event. Staff never set or see a password: a reset is a link mailed to
the customer, and the link is not shown to staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import OutboxEmail, PortalAccount, ResetToken, Workspace
from server.domain import throttle
from server.domain.access_changes import (
    end_all_sessions,
    note_access_change,
    revoke_pending_invites,
    revoke_pending_resets,
)
from server.domain.audit import Actor
from server.domain.branding import published_branding
from server.domain.customers import contact_in_workspace
from server.domain.errors import Conflict, Invalid
from server.domain.invites import account_of
from server.domain.messages import reset_message
from server.domain.outbox import queue_email
from server.domain.portal_auth import failures_key
from server.domain.secrets import digest, new_token

RESET_LIFETIME = timedelta(hours=1)


def _account(session: Session, ws: Workspace, contact_id: int, doing: str) -> PortalAccount:
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    account = account_of(session, contact, for_update=True)
    if account is None:
        raise Conflict(f"{contact.name} has no portal account yet, so there is nothing to {doing}.")
    return account


def disable_access(
    session: Session, ws: Workspace, actor: Actor, contact_id: int, reason: str
) -> PortalAccount:
    """Stop a contact using the portal at once: every session, invite and reset link ends."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why access is being disabled.", errors={"reason": "Required."})
    account = _account(session, ws, contact_id, "disable")
    if account.status == "disabled":
        session.commit()
        return account
    previous = account.status
    account.status = "disabled"
    account.disabled_at = utcnow()
    account.disabled_reason = reason
    account.disabled_by_id = actor.id if actor.kind == "staff" else None
    sessions = end_all_sessions(session, account.id)
    invites = revoke_pending_invites(session, account.id)
    resets = revoke_pending_resets(session, account.id)
    note_access_change(
        session,
        actor,
        account,
        "access_disabled",
        reason=reason,
        previous_status=previous,
        sessions_ended=sessions,
        invites_revoked=invites,
        resets_revoked=resets,
    )
    session.commit()
    return account


def enable_access(session: Session, ws: Workspace, actor: Actor, contact_id: int) -> PortalAccount:
    """Undo a disable. A contact who never chose a password goes back to 'invited' and needs
    a new invite (the old links died with the disable)."""
    account = _account(session, ws, contact_id, "enable")
    if account.status != "disabled":
        session.commit()
        return account
    account.status = "active" if account.password_hash else "invited"
    account.disabled_at = None
    account.disabled_reason = None
    account.disabled_by_id = None
    account.failed_attempts = 0
    account.locked_until = None
    note_access_change(session, actor, account, "access_enabled", status=account.status)
    session.commit()
    return account


@dataclass(frozen=True)
class SentReset:
    """A reset link mailed to the customer (the link is in the email only)."""

    account: PortalAccount
    email: OutboxEmail
    expires_at: datetime


def send_reset_link(
    session: Session, ws: Workspace, actor: Actor, contact_id: int, base_url: str
) -> SentReset:
    """Mail a one-hour password reset link; works while the account is locked out."""
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    account = account_of(session, contact, for_update=True)
    if account is None or account.status == "invited":
        raise Conflict(
            f"{contact.name} has not set a password yet. Resend the invite instead of a reset link."
        )
    if account.status == "disabled":
        raise Conflict(f"{contact.name}'s portal access is disabled. Enable it first.")
    revoked = revoke_pending_resets(session, account.id)
    token = new_token()
    now = utcnow()
    reset = ResetToken(
        workspace_id=ws.id,
        account_id=account.id,
        digest=digest(token),
        created_at=now,
        expires_at=now + RESET_LIFETIME,
        requested_by_id=actor.id if actor.kind == "staff" else None,
    )
    session.add(reset)
    link = f"{base_url.rstrip('/')}/p/{ws.slug}/reset/{token}"
    message = reset_message(published_branding(ws), contact.name, link)
    row = queue_email(
        session,
        ws.id,
        "reset",
        account.email_normalized,
        message,
        account_id=account.id,
        customer_id=account.customer_id,
    )
    note_access_change(
        session,
        actor,
        account,
        "reset_link_sent",
        email=account.email_normalized,
        email_id=row.id,
        older_links_revoked=revoked,
    )
    session.commit()
    return SentReset(account, row, reset.expires_at)


def unlock_access(session: Session, ws: Workspace, actor: Actor, contact_id: int) -> PortalAccount:
    """Clear failed sign-in attempts and the lockout (the email's failure counter with it)."""
    account = _account(session, ws, contact_id, "unlock")
    throttle.forget(session, failures_key(ws.id, account.email_normalized))
    if account.failed_attempts == 0 and account.locked_until is None:
        session.commit()
        return account
    was_locked = bool(account.locked_until and account.locked_until > utcnow())
    attempts = account.failed_attempts
    account.failed_attempts = 0
    account.locked_until = None
    note_access_change(
        session, actor, account, "unlocked", was_locked=was_locked, failed_attempts=attempts
    )
    session.commit()
    return account
