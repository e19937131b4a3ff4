"""The transactional outbox: an email row written in the same transaction as its cause."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import OutboxEmail
from server.domain.audit import Actor, record_event
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.follow_up import find as find_item
from server.domain.follow_up import touch
from server.domain.ids import parse_row_number
from server.domain.messages import Message
from server.wire.mail import OutboxEmailOut, OutboxPage


def queue_email(
    session: Session,
    workspace_id: int,
    kind: str,
    to_address: str,
    message: Message,
    *,
    account_id: int | None = None,
    customer_id: int | None = None,
) -> OutboxEmail:
    """Add an email to the outbox (pending); the sender delivers it after commit."""
    row = OutboxEmail(
        workspace_id=workspace_id,
        kind=kind,
        account_id=account_id,
        customer_id=customer_id,
        to_address=to_address,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        link=message.link,
        message_id=f"<{secrets.token_hex(16)}@toolbag-portal>",
    )
    session.add(row)
    session.flush()
    return row


# Kinds of email whose link only the customer may hold.
CUSTOMER_ONLY_LINKS = frozenset({"reset"})


def outbox_row(row: OutboxEmail) -> OutboxEmailOut:
    """The staff view of an outbox row.

    A delivered email's link is not shown again. A password reset link is never shown to
    staff: it lets its holder choose the customer's password, and staff must not be able to.
    """
    out = OutboxEmailOut.model_validate(row)
    hidden = row.status == "sent" or row.kind in CUSTOMER_ONLY_LINKS
    return out.model_copy(update={"link": None}) if hidden else out


def list_outbox(
    session: Session, workspace_id: int, *, status: str | None, limit: int, cursor: str | None
) -> OutboxPage:
    """Newest first; ``cursor`` is the id the previous page ended at."""
    query = select(OutboxEmail).where(OutboxEmail.workspace_id == workspace_id)
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if cursor is not None:
        before = parse_row_number(cursor)
        if before is None:
            raise Invalid("That cursor is not valid.", errors={"cursor": "Not a valid cursor."})
        query = query.where(OutboxEmail.id < before)
    rows = list(session.scalars(query.order_by(OutboxEmail.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return OutboxPage(
        data=[outbox_row(r) for r in rows],
        count=count,
        next_cursor=str(rows[-1].id) if more else None,
    )


def retry_email(session: Session, workspace_id: int, email_id: int, actor: Actor) -> OutboxEmail:
    """Make an undelivered email due now with a fresh set of attempts."""
    row = session.scalar(
        select(OutboxEmail).where(
            OutboxEmail.id == email_id, OutboxEmail.workspace_id == workspace_id
        )
    )
    if row is None:
        raise NotFound("That email is not in this workspace's outbox.")
    if row.status == "sent":
        raise Conflict("This email was already delivered; there is nothing to retry.")
    if row.status == "cancelled":
        raise Conflict(
            "This email was cancelled, so it is not sent again. Send a new one from where it "
            "came from (an invite from Access, for example)."
        )
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    record_event(
        session,
        workspace_id,
        actor,
        "mail.retry",
        customer_id=row.customer_id,
        outbox_id=row.id,
        kind=row.kind,
        to_address=row.to_address,
    )
    return row


def cancel_email(session: Session, workspace_id: int, email_id: int, actor: Actor) -> OutboxEmail:
    """Stop an undelivered email from being sent (a pending or failed one); it stays listed
    as cancelled. Its link is dropped: a cancelled invite must not be passed on by hand."""
    row = session.scalar(
        select(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.workspace_id == workspace_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound("That email is not in this workspace's outbox.")
    if row.status == "sent":
        raise Conflict("This email was already delivered, so it cannot be cancelled.")
    if row.status == "cancelled":
        raise Conflict("This email was already cancelled.")
    row.status = "cancelled"
    row.link = None
    close_failure_item(session, row, actor)
    record_event(
        session,
        workspace_id,
        actor,
        "mail.cancelled",
        customer_id=row.customer_id,
        outbox_id=row.id,
        kind=row.kind,
        to_address=row.to_address,
    )
    return row


def close_failure_item(session: Session, row: OutboxEmail, actor: Actor) -> None:
    """A cancelled email needs no more following up: its "mail failed" item, if open, is done."""
    item = find_item(session, row.workspace_id, f"mail_failed:{row.id}")
    if item is None or item.state != "open":
        return
    item.state = "done"
    item.done_note = "The email was cancelled."
    item.done_by_name = actor.name
    item.done_at = utcnow()
    touch(session, item)
