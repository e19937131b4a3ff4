"""Invite and reset links of portal accounts, and changing a password while signed in.

Links are single use: a conditional UPDATE marks the token used, so two tabs submitting the
same link cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Invite, PortalAccount, ResetToken, Workspace
from server.domain import throttle
from server.domain.audit import Actor, record_event
from server.domain.branding import published_branding
from server.domain.errors import Gone, Invalid, TooManyRequests, Unauthorized
from server.domain.portal_auth import (
    new_password_problem,
    normalise_email,
    set_password,
    touch_account_summary,
)
from server.domain.portal_sessions import OpenSession, end_sessions, start_session
from server.domain.secrets import digest, new_token, verify_password
from server.domain.messages import reset_message
from server.domain.outbox import queue_email

RESET_LIFETIME = timedelta(hours=1)
LINK_GONE = "This link no longer works."
RESET_PER_EMAIL = 3
RESET_WINDOW = timedelta(hours=1)


def find_invite(
    db: Session, ws: Workspace, token: str
) -> tuple[Invite, PortalAccount, Contact] | None:
    """The usable invite behind a link, or None (unknown, used, revoked, expired, disabled)."""
    found = db.execute(
        select(Invite, PortalAccount, Contact)
        .join(PortalAccount, PortalAccount.id == Invite.account_id)
        .join(Contact, Contact.id == PortalAccount.contact_id)
        .where(Invite.digest == digest(token), Invite.workspace_id == ws.id)
    ).one_or_none()
    if found is None:
        return None
    invite, account, contact = found
    if invite.used_at or invite.revoked_at or invite.expires_at <= utcnow():
        return None
    if account.status == "disabled":
        return None
    return invite, account, contact


def _check_password(password: str, confirm: str, account: PortalAccount, contact: Contact) -> None:
    avoid = (account.email_normalized.split("@")[0], contact.name)
    problem = new_password_problem(password, confirm, avoid=avoid)
    if problem:
        raise Invalid(problem, errors={"password": problem})


def _use_once(db: Session, model: type[Invite] | type[ResetToken], link_id: int) -> datetime:
    """Mark a link used, unless a concurrent request used or revoked it first (then Gone)."""
    now = utcnow()
    used = db.execute(
        update(model)
        .where(model.id == link_id, model.used_at.is_(None), model.revoked_at.is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise Gone(LINK_GONE)
    return now


def accept_invite(
    db: Session,
    ws: Workspace,
    token: str,
    password: str,
    confirm: str,
    *,
    ip: str | None,
    user_agent: str | None,
) -> OpenSession:
    """Set the first password from an invite, activate the account and sign in."""
    found = find_invite(db, ws, token)
    if found is None:
        raise Gone(LINK_GONE)
    invite, account, contact = found
    _check_password(password, confirm, account, contact)
    now = _use_once(db, Invite, invite.id)
    set_password(db, account, password)
    account.status = "active"
    account.last_sign_in_at = now
    opened = start_session(db, account, ip=ip, user_agent=user_agent)
    record_event(
        db,
        ws.id,
        Actor("customer", contact.id, contact.name, ip),
        "portal.invite_accepted",
        customer_id=account.customer_id,
        contact_id=contact.id,
    )
    touch_account_summary(db, account)
    db.commit()
    return opened


def find_reset(
    db: Session, ws: Workspace, token: str
) -> tuple[ResetToken, PortalAccount, Contact] | None:
    """The usable reset token behind a link, or None."""
    found = db.execute(
        select(ResetToken, PortalAccount, Contact)
        .join(PortalAccount, PortalAccount.id == ResetToken.account_id)
        .join(Contact, Contact.id == PortalAccount.contact_id)
        .where(ResetToken.digest == digest(token), ResetToken.workspace_id == ws.id)
    ).one_or_none()
    if found is None:
        return None
    reset, account, contact = found
    if reset.used_at or reset.revoked_at or reset.expires_at <= utcnow():
        return None
    if account.status != "active":
        return None
    return reset, account, contact


def complete_reset(
    db: Session,
    ws: Workspace,
    token: str,
    password: str,
    confirm: str,
    *,
    ip: str | None,
    user_agent: str | None,
) -> OpenSession:
    """Choose a new password from a reset link: unlocks, ends every session, signs in."""
    found = find_reset(db, ws, token)
    if found is None:
        raise Gone(LINK_GONE)
    reset, account, contact = found
    _check_password(password, confirm, account, contact)
    now = _use_once(db, ResetToken, reset.id)
    set_password(db, account, password)
    end_sessions(db, account.id)
    account.last_sign_in_at = now
    opened = start_session(db, account, ip=ip, user_agent=user_agent)
    record_event(
        db,
        ws.id,
        Actor("customer", contact.id, contact.name, ip),
        "portal.password_reset",
        customer_id=account.customer_id,
        contact_id=contact.id,
    )
    touch_account_summary(db, account)
    db.commit()
    return opened


def request_reset(db: Session, ws: Workspace, email: str, base_url: str, *, ip: str | None) -> None:
    """Queue a reset email when the email belongs to an active account; silent otherwise."""
    email_n = normalise_email(email)[:320]
    if throttle.over(db, f"reset-email:{ws.id}:{email_n}", RESET_PER_EMAIL, RESET_WINDOW):
        return
    if ip and throttle.over(db, f"reset-ip:{ws.id}:{ip}", 20, RESET_WINDOW):
        raise TooManyRequests("Too many requests from your network. Wait an hour and try again.")
    found = db.execute(
        select(PortalAccount, Contact)
        .join(Contact, Contact.id == PortalAccount.contact_id)
        .where(PortalAccount.workspace_id == ws.id, PortalAccount.email_normalized == email_n)
    ).one_or_none()
    if found is None or found[0].status != "active":
        return
    account, contact = found
    now = utcnow()
    # A newer link replaces every older one.
    db.execute(
        update(ResetToken)
        .where(
            ResetToken.account_id == account.id,
            ResetToken.used_at.is_(None),
            ResetToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    db.add(
        ResetToken(
            workspace_id=ws.id,
            account_id=account.id,
            digest=digest(token),
            expires_at=now + RESET_LIFETIME,
        )
    )
    link = f"{base_url.rstrip('/')}/p/{ws.slug}/reset/{token}"
    message = reset_message(published_branding(ws), contact.name, link)
    queue_email(
        db,
        ws.id,
        "reset",
        contact.email or account.email_normalized,
        message,
        account_id=account.id,
        customer_id=account.customer_id,
    )
    record_event(
        db,
        ws.id,
        Actor("customer", contact.id, contact.name, ip),
        "portal.reset_requested",
        customer_id=account.customer_id,
        contact_id=contact.id,
    )
    db.commit()


def change_password(
    db: Session,
    account: PortalAccount,
    current: str,
    new: str,
    confirm: str,
    *,
    contact: Contact,
    ip: str | None,
    user_agent: str | None,
) -> OpenSession:
    """Change a password while signed in: ends every other session, rotates this one."""
    if not verify_password(account.password_hash, current):
        raise Unauthorized("Your current password is not right. Nothing was changed.")
    _check_password(new, confirm, account, contact)
    set_password(db, account, new)
    end_sessions(db, account.id)
    opened = start_session(db, account, ip=ip, user_agent=user_agent)
    record_event(
        db,
        account.workspace_id,
        Actor("customer", contact.id, contact.name, ip),
        "portal.password_changed",
        customer_id=account.customer_id,
        contact_id=contact.id,
    )
    touch_account_summary(db, account)
    db.commit()
    return opened
