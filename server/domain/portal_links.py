"""Invite and reset links of portal accounts, and changing a password while signed in.

Links are single use: a conditional UPDATE marks the token used, so two tabs submitting the
same link cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.engine import writable
from server.db.models import Contact, Invite, PortalAccount, ResetToken, Workspace
from server.domain import throttle
from server.domain.access_changes import revoke_pending_invites, revoke_pending_resets
from server.domain.audit import Actor, record_event
from server.domain.errors import Gone, Invalid, TooManyRequests, Unauthorized
from server.domain.follow_up_causes import sign_in_trouble
from server.domain.portal_auth import new_password_problem, set_password, touch_account_summary
from server.domain.portal_sessions import OpenSession, end_session, end_sessions, start_session
from server.domain.secrets import digest, verify_password

LINK_GONE = "This link no longer works."
GUESSES = 5
GUESS_WINDOW = timedelta(minutes=15)
TOO_MANY_GUESSES = (
    "Too many wrong passwords. For your safety you have been signed out. Sign in again, or "
    "choose a new password with the 'Forgot your password?' link."
)


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


def note_expired_invite(db: Session, ws: Workspace, token: str) -> bool:
    """Tell the office that an invite link was opened after it expired (the contact is still
    waiting to get in), once per link; True when the office now knows.

    This writes on a GET, deliberately: it changes nothing for the visitor and is idempotent
    (one item per link however often it is opened), like noting a visit. Only a link that
    simply ran out counts: a used, revoked or replaced one means the office already acted.
    """
    found = db.execute(
        select(Invite, PortalAccount)
        .join(PortalAccount, PortalAccount.id == Invite.account_id)
        .where(Invite.digest == digest(token), Invite.workspace_id == ws.id)
    ).one_or_none()
    if found is None:
        return False
    invite, account = found
    now = utcnow()
    if invite.used_at or invite.revoked_at or invite.expires_at > now:
        return False
    if account.status != "invited":
        return False
    # A GET reads through a read-only session: the note is written through a writer.
    with writable(db) as w:
        mine = w.get(PortalAccount, account.id)
        if mine is None:
            return False
        sign_in_trouble(w, mine, "expired_invite_clicked", occasion=str(invite.id), at=now)
        w.commit()
    return True


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


def _new_password(db: Session, account: PortalAccount, password: str) -> None:
    """Store a new password and end everything the old one opened: every reset and invite
    link still out, and every session (the caller starts the one it keeps)."""
    set_password(db, account, password)
    revoke_pending_resets(db, account.id)
    revoke_pending_invites(db, account.id)
    end_sessions(db, account.id)


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
    _new_password(db, account, password)
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
    _new_password(db, account, password)
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


def change_password(
    db: Session,
    account: PortalAccount,
    current: str,
    new: str,
    confirm: str,
    *,
    contact: Contact,
    session_id: int,
    ip: str | None,
    user_agent: str | None,
) -> OpenSession:
    """Change a password while signed in: ends every other session and every reset or
    invite link still out, and rotates this session.

    Wrong current passwords are counted per account: after ``GUESSES`` in a window the
    session that made them is ended (raises ``TooManyRequests``), so a stolen cookie cannot
    be used to guess the password.
    """
    key = f"password-check:{account.id}"
    if throttle.hits(db, key, GUESS_WINDOW) >= GUESSES:
        end_session(db, session_id)
        db.commit()
        raise TooManyRequests(TOO_MANY_GUESSES)
    if not verify_password(account.password_hash, current):
        if throttle.hit(db, key, GUESS_WINDOW) >= GUESSES:
            end_session(db, session_id)
            db.commit()
            raise TooManyRequests(TOO_MANY_GUESSES)
        raise Unauthorized("Your current password is not right. Nothing was changed.")
    _check_password(new, confirm, account, contact)
    _new_password(db, account, new)
    throttle.forget(db, key)
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
