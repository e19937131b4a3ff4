"""Staff accounts and bearer tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import StaffToken, StaffUser, Workspace
from server.domain import throttle
from server.domain.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from server.domain.permissions import ROLES
from server.domain.secrets import (
    digest,
    hash_password,
    needs_rehash,
    new_token,
    password_problem,
    verify_password,
)

SIGN_IN_FAILED = "That email and password do not match a staff account."
TOO_MANY = (
    "Too many failed sign-ins with this email. Wait 15 minutes and try again, "
    "or ask the workspace owner to check your account."
)
TOO_MANY_FROM_HERE = "Too many failed sign-ins from your network. Wait 15 minutes and try again."
WINDOW = timedelta(minutes=15)
FAILURES_PER_EMAIL = 10
FAILURES_PER_ADDRESS = 30


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token as handed to the client once."""

    token: str
    expires_at: datetime


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; the form used for uniqueness and look-ups."""
    return email.strip().lower()


def create_staff(
    session: Session, workspace: Workspace, email: str, name: str, role: str, password: str
) -> StaffUser:
    """Add a staff member; refuses unknown roles, weak passwords and taken emails."""
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", errors={"role": "Unknown role."})
    problem = password_problem(password)
    if problem:
        raise Invalid(problem, errors={"password": problem})
    email_n = normalise_email(email)
    if "@" not in email_n:
        raise Invalid("That is not an email address.", errors={"email": "Not an email address."})
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email_n)):
        raise Conflict(f"A staff account for {email_n} already exists.")
    user = StaffUser(
        workspace_id=workspace.id,
        email=email_n,
        name=name or email_n.split("@")[0].title(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def sign_in(
    session: Session, email: str, password: str, hours: int, *, ip: str | None = None
) -> IssuedToken:
    """Check the password (same time for unknown emails) and issue a bearer token.

    Throttled like the portal: failures are counted per email (known or not, so the answers
    cannot tell them apart) and per address; past either limit every attempt, the right
    password included, answers 429 until the window ends.
    """
    email_n = normalise_email(email)[:320]
    email_key = f"staff-signin-email:{email_n}"
    ip_key = f"staff-signin-ip:{ip}" if ip else None
    if ip_key and throttle.hits(session, ip_key, WINDOW) >= FAILURES_PER_ADDRESS:
        raise TooManyRequests(TOO_MANY_FROM_HERE)
    if throttle.hits(session, email_key, WINDOW) >= FAILURES_PER_EMAIL:
        raise TooManyRequests(TOO_MANY)
    user = session.scalar(select(StaffUser).where(StaffUser.email == email_n))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        throttle.hit(session, email_key, WINDOW)
        if ip_key:
            throttle.hit(session, ip_key, WINDOW)
        raise Unauthorized(SIGN_IN_FAILED)
    throttle.forget(session, email_key)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = new_token()
    expires = utcnow() + timedelta(hours=hours)
    session.add(StaffToken(staff_id=user.id, digest=digest(token), expires_at=expires))
    session.commit()
    return IssuedToken(token, expires)


def sign_out(session: Session, token_id: int) -> None:
    """Revoke one bearer token."""
    session.execute(
        update(StaffToken)
        .where(StaffToken.id == token_id, StaffToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()


def get_workspace(session: Session, slug: str) -> Workspace:
    """A workspace by slug, or NotFound."""
    ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise NotFound(f"There is no workspace called '{slug}'.")
    return ws


def issue_token_for(session: Session, user: StaffUser, hours: int) -> IssuedToken:
    """Issue a token without a password (for a process that already holds the database)."""
    token = new_token()
    expires = utcnow() + timedelta(hours=hours)
    session.add(StaffToken(staff_id=user.id, digest=digest(token), expires_at=expires))
    session.commit()
    return IssuedToken(token, expires)
