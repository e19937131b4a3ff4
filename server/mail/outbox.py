"""The transactional outbox: an email row written in the same transaction as its cause."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from server.db.models import OutboxEmail
from server.mail.messages import Message


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
