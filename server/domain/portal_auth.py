"""Portal sign-in, sign-out, lockout and password rules for customer contacts.

Unknown email, wrong password and a disabled account get the same answer after the same
work (an argon2 verification in every case). Lockout never blocks the reset link.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from server.db.base import utcnow
from server.db.models import Customer, PortalAccount, Workspace
from server.domain import throttle
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.customer_summary import refresh_customer
from server.domain.errors import TooManyRequests, Unauthorized
from server.domain.follow_up_causes import sign_in_trouble
from server.domain.portal_sessions import OpenSession, start_session
from server.domain.secrets import hash_password, needs_rehash, password_problem, verify_password

SIGN_IN_FAILED = "That email and password do not match. Check them and try again."
TOO_MANY = (
    "Too many attempts to sign in with this email. Wait 15 minutes and try again, "
    "or choose a new password with the 'Forgot your password?' link."
)
TOO_MANY_FROM_HERE = "Too many attempts from your network. Wait 15 minutes and try again."
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
IP_LIMIT = 30


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked password sets, lower-cased (ASVS 5.0 6.2.4
    asks for at least the 3,000 most common): the list the zxcvbn package maintains."""
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def new_password_problem(password: str, confirm: str, *, avoid: tuple[str, ...] = ()) -> str | None:
    """Plain feedback on a new password: length, common passwords, the email, the match."""
    problem = password_problem(password)
    if problem:
        return f"{problem} You typed {len(password)}."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) < 3:
        return "That password is too common and easy to guess. Choose another."
    if any(a and len(a) >= 4 and a.lower() in lowered for a in avoid):
        return "Do not use your email address or name in your password."
    if password != confirm:
        return "The two passwords do not match. Type the same password twice."
    return None


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased: the form accounts are looked up by."""
    return email.strip().lower()


def touch_account_summary(db: Session, account: PortalAccount) -> None:
    """Refresh the customer summary and tell the console (changes feed) about the account."""
    customer = db.get(Customer, account.customer_id)
    if customer is not None:
        refresh_customer(db, customer)
        record_change(db, account.workspace_id, "customer", customer.id, "upsert")
    record_change(db, account.workspace_id, "portal_account", account.id, "upsert")


def failures_key(workspace_id: int, email_n: str) -> str:
    """The rate-limit key counting failed sign-ins of one email (known or not)."""
    return f"signin-email:{workspace_id}:{email_n}"


def sign_in(
    db: Session, ws: Workspace, email: str, password: str, *, ip: str | None, user_agent: str | None
) -> OpenSession:
    """Check the password and start a session; every failure looks the same.

    The lockout is one counter per email, whatever is behind it (an active, invited or
    disabled account, or none): five failures in a window answer 429 until it ends, for every
    email alike, so neither the status nor the time of the answer tells which emails exist.
    An active account also shows as locked in the console until then.
    """
    email_n = normalise_email(email)[:320]
    if ip and throttle.over(db, f"signin-ip:{ws.id}:{ip}", IP_LIMIT, WINDOW):
        raise TooManyRequests(TOO_MANY_FROM_HERE)
    account = db.scalar(
        select(PortalAccount).where(
            PortalAccount.workspace_id == ws.id, PortalAccount.email_normalized == email_n
        )
    )
    now = utcnow()
    ok = verify_password(account.password_hash if account else None, password)
    key = failures_key(ws.id, email_n)
    failures = throttle.hits(db, key, WINDOW)
    if failures >= MAX_FAILURES:
        raise TooManyRequests(TOO_MANY)
    if account is None or not ok or account.status != "active":
        if account is not None:
            _failed(db, account, failures + 1)
        throttle.hit(db, key, WINDOW)  # commits, the account's note with it: one commit
        raise Unauthorized(SIGN_IN_FAILED)
    if account.password_hash and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    throttle.forget(db, key)
    account.failed_attempts = 0
    account.locked_until = None
    account.last_sign_in_at = now
    account.updated_at = now
    opened = start_session(db, account, ip=ip, user_agent=user_agent)
    actor = Actor("customer", account.contact_id, None, ip)
    record_event(
        db,
        ws.id,
        actor,
        "portal.signed_in",
        customer_id=account.customer_id,
        contact_id=account.contact_id,
    )
    touch_account_summary(db, account)
    db.commit()
    return opened


def _failed(db: Session, account: PortalAccount, failures: int) -> None:
    """Note a failure on the account (committed by the caller); the one that reaches the
    limit locks an active account (for the console: the email's counter is what refuses
    sign-ins) until the window ends."""
    account.failed_attempts = failures
    account.updated_at = utcnow()
    if failures >= MAX_FAILURES and account.status == "active":
        account.locked_until = throttle.window_end(WINDOW)
        record_event(
            db,
            account.workspace_id,
            Actor("system", None, "Toolbag Portal"),
            "portal.locked",
            customer_id=account.customer_id,
            contact_id=account.contact_id,
            until=account.locked_until.isoformat(),
        )
        touch_account_summary(db, account)
        sign_in_trouble(db, account, "locked", locked_until=account.locked_until)


def set_password(db: Session, account: PortalAccount, password: str) -> None:
    """Store a new password: ends the lock, and (by its time stamp) every older session."""
    now = utcnow()
    throttle.forget(db, failures_key(account.workspace_id, account.email_normalized))
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    account.failed_attempts = 0
    account.locked_until = None
    account.updated_at = now
