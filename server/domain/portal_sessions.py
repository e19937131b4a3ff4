"""Server-side portal sessions: start, resolve (with idle and absolute timeouts), end.

The cookie holds a random token; only its SHA-256 digest is stored. A session stops working
on its next request when it is revoked, timed out, its account is no longer active, or the
account's password changed after the session began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.engine import writable
from server.db.models import Contact, PortalAccount, PortalSession
from server.domain.secrets import digest, new_token

IDLE_TIMEOUT = timedelta(minutes=60)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Writing last_seen_at on every page view would turn every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class OpenSession:
    """A session as handed to the browser once: the token goes into the cookie."""

    token: str
    row: PortalSession


def start_session(
    db: Session,
    account: PortalAccount,
    *,
    ip: str | None,
    user_agent: str | None,
    lifetime: timedelta = ABSOLUTE_TIMEOUT,
    preview_by_id: int | None = None,
    preview_options: dict[str, Any] | None = None,
) -> OpenSession:
    """Add a new session (with its own CSRF token) to the current transaction."""
    token = new_token()
    now = utcnow()
    row = PortalSession(
        workspace_id=account.workspace_id,
        account_id=account.id,
        digest=digest(token),
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:300] or None,
        preview_by_id=preview_by_id,
        preview_options=preview_options,
    )
    db.add(row)
    db.flush()
    return OpenSession(token, row)


def resolve_session(
    db: Session, workspace_id: int, token: str | None
) -> tuple[PortalSession, PortalAccount] | None:
    """The live session for a cookie token and its account, or None when it no longer works."""
    if not token or len(token) > 200:
        return None
    found = db.execute(
        select(PortalSession, PortalAccount)
        .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
        .where(PortalSession.digest == digest(token), PortalSession.workspace_id == workspace_id)
    ).one_or_none()
    if found is None:
        return None
    row, account = found
    if account is None:
        account = stand_in_account(db, row)
        if account is None:
            return None
    return (row, account) if is_live(db, SessionState.of(row, account)) else None


def start_contact_preview(
    db: Session,
    contact: Contact,
    *,
    ip: str | None,
    lifetime: timedelta,
    preview_by_id: int,
    preview_options: dict[str, Any],
) -> OpenSession:
    """A staff preview session for a contact without a portal account (nothing else is
    written: no account is made for them)."""
    token = new_token()
    now = utcnow()
    row = PortalSession(
        workspace_id=contact.workspace_id,
        account_id=None,
        contact_id=contact.id,
        digest=digest(token),
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip=(ip or "")[:64] or None,
        user_agent="staff preview",
        preview_by_id=preview_by_id,
        preview_options=preview_options,
    )
    db.add(row)
    db.flush()
    return OpenSession(token, row)


def stand_in_account(db: Session, row: PortalSession) -> PortalAccount | None:
    """For a staff preview of a contact not yet invited: the account they would have once
    they accept an invite, built in memory only (never added to the database session)."""
    if row.preview_by_id is None or row.contact_id is None:
        return None
    contact = db.get(Contact, row.contact_id)
    if contact is None or contact.workspace_id != row.workspace_id:
        return None
    return PortalAccount(
        id=0,
        workspace_id=contact.workspace_id,
        contact_id=contact.id,
        customer_id=contact.customer_id,
        email_normalized=contact.email_normalized or "",
        status="active",
        failed_attempts=0,
    )


@dataclass(frozen=True)
class SessionState:
    """What decides whether a session still works, as read from the database."""

    session_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    is_preview: bool
    account_status: str
    password_changed_at: datetime | None

    @classmethod
    def of(cls, row: PortalSession, account: PortalAccount) -> SessionState:
        """The state of a loaded session row and its account."""
        return cls(
            row.id,
            row.created_at,
            row.last_seen_at,
            row.expires_at,
            row.revoked_at,
            row.preview_by_id is not None,
            account.status,
            account.password_changed_at,
        )


def works(state: SessionState, now: datetime) -> bool:
    """Whether a session still works at ``now``, judged on freshly read state."""
    if state.revoked_at is not None or state.expires_at <= now:
        return False
    if state.is_preview:
        return True
    if state.last_seen_at + IDLE_TIMEOUT <= now or state.account_status != "active":
        return False
    return not (state.password_changed_at and state.password_changed_at > state.created_at)


def touch_due(state: SessionState, now: datetime) -> bool:
    """Whether this visit should be noted (a customer session, last noted a minute ago)."""
    return not state.is_preview and now - state.last_seen_at >= TOUCH_EVERY


def is_live(db: Session, state: SessionState) -> bool:
    """Whether a session still works (checked on every request from freshly read state);
    notes the visit at most once a minute, in a short write of its own when ``db`` only
    reads."""
    now = utcnow()
    if not works(state, now):
        return False
    if touch_due(state, now):
        with writable(db) as w:
            w.execute(
                update(PortalSession)
                .where(PortalSession.id == state.session_id)
                .values(last_seen_at=now)
            )
            w.commit()
    return True


def end_session(db: Session, session_id: int) -> None:
    """Revoke one session (sign out)."""
    db.execute(
        update(PortalSession)
        .where(PortalSession.id == session_id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_sessions(db: Session, account_id: int, *, keep_id: int | None = None) -> None:
    """Revoke every customer session of an account, except ``keep_id`` when given."""
    stmt = update(PortalSession).where(
        PortalSession.account_id == account_id,
        PortalSession.revoked_at.is_(None),
        PortalSession.preview_by_id.is_(None),
    )
    if keep_id is not None:
        stmt = stmt.where(PortalSession.id != keep_id)
    db.execute(stmt.values(revoked_at=utcnow()))
