"""Inviting staff: the new member chooses their own password from a link.

An invited member is a staff account that is not active and has no password yet
(``INVITED_HASH`` matches no password). The link's token is 256-bit, stored as a digest,
single use, valid 7 days; a newer link ends the older ones.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import StaffInvite, StaffUser, Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.emails import email_problem, normalise_email
from server.domain.errors import Conflict, Gone, Invalid
from server.domain.messages import Message
from server.domain.outbox import queue_email
from server.domain.permissions import ROLES
from server.domain.secrets import digest, hash_password, new_token, password_problem
from server.wire.team import TeamMemberCreate

INVITED_HASH = ""  # no password set yet: verify_password refuses every password against it
VALID_FOR = timedelta(days=7)
LINK_GONE = (
    "This link has expired or was already used. Ask whoever invited you to send a new one "
    "from the Team panel of the console."
)


@dataclass(frozen=True)
class IssuedStaffInvite:
    """A staff invite as shown once: the member, the link and when it stops working."""

    user: StaffUser
    url: str
    expires_at: datetime


def join_url(base_url: str, token: str) -> str:
    """Where a new staff member chooses their password."""
    return f"{base_url.rstrip('/')}/staff/join/{token}"


def is_invited(user: StaffUser) -> bool:
    """Invited and not yet joined (no password of their own)."""
    return not user.is_active and user.password_hash == INVITED_HASH


def invite_member(
    session: Session, ws: Workspace, body: TeamMemberCreate, actor: Actor, base_url: str
) -> IssuedStaffInvite:
    """Create an invited member and email them a link to choose their password."""
    if body.role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", errors={"role": "Unknown role."})
    email = normalise_email(body.email)
    problem = email_problem(email)
    if problem:
        raise Invalid(problem, errors={"email": problem})
    existing = session.scalar(select(StaffUser).where(StaffUser.email == email))
    if existing is not None and existing.workspace_id == ws.id:
        if is_invited(existing):
            detail = f"{email} is already invited. Send them a new link from their row instead."
        else:
            detail = f"{email} is already in your team as {existing.role}."
        raise Conflict(detail, errors={"email": "Already in the team."})
    if existing is not None:
        raise Conflict(
            f"{email} already has a staff account on this server. Use another address.",
            errors={"email": "Already used."},
        )
    user = StaffUser(
        workspace_id=ws.id,
        email=email,
        name=body.name,
        role=body.role,
        password_hash=INVITED_HASH,
        is_active=False,
    )
    session.add(user)
    session.flush()
    issued = _issue(session, ws, user, actor, base_url)
    record_event(
        session, ws.id, actor, "team.member_invited", staff_id=user.id, email=email, role=user.role
    )
    record_change(session, ws.id, "team", user.id, "upsert")
    session.commit()
    return issued


def resend(
    session: Session, ws: Workspace, user: StaffUser, actor: Actor, base_url: str
) -> IssuedStaffInvite:
    """A new link for a member who has not joined yet (older links stop working)."""
    if user.password_hash != INVITED_HASH:
        raise Conflict(
            f"{user.email} has already chosen a password; they sign in with it.",
            errors={"member": "Already joined."},
        )
    user.is_active = False
    issued = _issue(session, ws, user, actor, base_url)
    record_event(session, ws.id, actor, "team.invite_resent", staff_id=user.id, email=user.email)
    record_change(session, ws.id, "team", user.id, "upsert")
    session.commit()
    return issued


def revoke_all(session: Session, user: StaffUser) -> None:
    """End every open invite link of a member (switched off, or a newer link sent)."""
    session.execute(
        update(StaffInvite)
        .where(
            StaffInvite.staff_id == user.id,
            StaffInvite.used_at.is_(None),
            StaffInvite.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def _issue(
    session: Session, ws: Workspace, user: StaffUser, actor: Actor, base_url: str
) -> IssuedStaffInvite:
    revoke_all(session, user)
    token = new_token()
    expires = utcnow() + VALID_FOR
    session.add(
        StaffInvite(
            workspace_id=ws.id,
            staff_id=user.id,
            digest=digest(token),
            expires_at=expires,
            sent_by_id=actor.id if actor.kind == "staff" else None,
        )
    )
    url = join_url(base_url, token)
    queue_email(session, ws.id, "staff_invite", user.email, _message(ws, user, actor, url))
    return IssuedStaffInvite(user, url, expires)


def _message(ws: Workspace, user: StaffUser, actor: Actor, url: str) -> Message:
    who = actor.name or "A colleague"
    subject = f"{who} invited you to the {ws.name} office team"
    text = (
        f"Hello {user.name},\n\n{who} added you to the {ws.name} team in Toolbag Portal as "
        f"{user.role}.\n\nChoose your password here (the link works for 7 days, once):\n"
        f"{url}\n\nThen sign in to the console with {user.email}.\n"
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if url not in p)
    link = f'<p><a href="{html.escape(url)}">Choose your password</a></p>'
    return Message(subject, text, f"<!doctype html><html><body>{body}{link}</body></html>", url)


def find(session: Session, token: str) -> tuple[StaffInvite, StaffUser, Workspace] | None:
    """The live invite a link names, with its member and workspace, or None."""
    row = session.execute(
        select(StaffInvite, StaffUser, Workspace)
        .join(StaffUser, StaffUser.id == StaffInvite.staff_id)
        .join(Workspace, Workspace.id == StaffInvite.workspace_id)
        .where(StaffInvite.digest == digest(token))
    ).one_or_none()
    if row is None:
        return None
    invite, user, ws = row
    live = invite.used_at is None and invite.revoked_at is None and invite.expires_at > utcnow()
    return (invite, user, ws) if live and user.password_hash == INVITED_HASH else None


def accept(session: Session, token: str, password: str, confirm: str) -> StaffUser:
    """Set the new member's own password and let them sign in (the link is used up)."""
    found = find(session, token)
    if found is None:
        raise Gone(LINK_GONE)
    invite, user, ws = found
    if password != confirm:
        raise Invalid("The two passwords are not the same. Type them again.")
    problem = password_problem(password)
    if problem:
        raise Invalid(problem)
    invite.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.is_active = True
    record_event(
        session,
        ws.id,
        Actor("staff", user.id, user.name),
        "team.invite_accepted",
        staff_id=user.id,
        email=user.email,
    )
    record_change(session, ws.id, "team", user.id, "upsert")
    session.commit()
    return user
