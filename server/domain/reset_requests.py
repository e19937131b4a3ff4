""" "Forgot your password?": the request is taken at once, the work is done after the answer.

Whether an email has an account must not show in the answer or in its timing, so the request
does the same few steps for every email (two rate-limit counts) and answers; looking the
email up, making a link and queuing the email happen afterwards, in ``send_reset``, which
the route runs as a background task once the answer has left. Only active accounts get a
link; every other email (unknown, invited, disabled) gets nothing, silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.base import utcnow
from server.db.models import Contact, PortalAccount, ResetToken, Workspace
from server.domain import throttle
from server.domain.access_changes import revoke_pending_resets
from server.domain.audit import Actor, record_event
from server.domain.branding import published_branding
from server.domain.errors import TooManyRequests
from server.domain.follow_up_causes import sign_in_trouble
from server.domain.messages import reset_message
from server.domain.outbox import queue_email
from server.domain.portal_auth import normalise_email
from server.domain.secrets import digest, new_token

log = logging.getLogger("server.portal")

RESET_LIFETIME = timedelta(hours=1)
RESET_PER_EMAIL = 3
RESET_PER_ADDRESS = 20
RESET_WINDOW = timedelta(hours=1)
TOO_MANY_FROM_HERE = "Too many requests from your network. Wait an hour and try again."


@dataclass(frozen=True)
class ResetRequest:
    """A reset asked for and within its limits: what ``send_reset`` needs, nothing looked up."""

    workspace_id: int
    email_normalized: str
    base_url: str
    ip: str | None


def take_request(
    db: Session, ws: Workspace, email: str, base_url: str, *, ip: str | None
) -> ResetRequest | None:
    """Count the request against the email and the address; the same steps for any email.

    None when the email has asked too often (silently: the answer must not change); raises
    ``TooManyRequests`` when the address has.
    """
    email_n = normalise_email(email)[:320]
    if throttle.over(db, f"reset-email:{ws.id}:{email_n}", RESET_PER_EMAIL, RESET_WINDOW):
        return None
    if ip and throttle.over(db, f"reset-ip:{ws.id}:{ip}", RESET_PER_ADDRESS, RESET_WINDOW):
        raise TooManyRequests(TOO_MANY_FROM_HERE)
    return ResetRequest(ws.id, email_n, base_url, ip)


def send_reset(factory: sessionmaker[Session], request: ResetRequest) -> None:
    """Mail a one-hour reset link when the email belongs to an active account (after the
    answer, in a session of its own); a newer link replaces every older one. A failure is
    logged (nobody waits for this answer); the customer can ask again."""
    try:
        _send_reset(factory, request)
    except Exception:
        log.exception("reset email could not be queued", extra={"ws": request.workspace_id})


def _send_reset(factory: sessionmaker[Session], request: ResetRequest) -> None:
    with factory() as db:
        found = db.execute(
            select(PortalAccount, Contact, Workspace)
            .join(Contact, Contact.id == PortalAccount.contact_id)
            .join(Workspace, Workspace.id == PortalAccount.workspace_id)
            .where(
                PortalAccount.workspace_id == request.workspace_id,
                PortalAccount.email_normalized == request.email_normalized,
            )
        ).one_or_none()
        if found is None or found[0].status != "active":
            return
        account, contact, ws = found
        revoke_pending_resets(db, account.id)
        token = new_token()
        now = utcnow()
        db.add(
            ResetToken(
                workspace_id=ws.id,
                account_id=account.id,
                digest=digest(token),
                expires_at=now + RESET_LIFETIME,
            )
        )
        link = f"{request.base_url.rstrip('/')}/p/{ws.slug}/reset/{token}"
        queue_email(
            db,
            ws.id,
            "reset",
            account.email_normalized,
            reset_message(published_branding(ws), contact.name, link),
            account_id=account.id,
            customer_id=account.customer_id,
        )
        record_event(
            db,
            ws.id,
            Actor("customer", contact.id, contact.name, request.ip),
            "portal.reset_requested",
            customer_id=account.customer_id,
            contact_id=contact.id,
        )
        sign_in_trouble(db, account, "reset_requested")
        db.commit()
