"""What every change to a portal account does besides the change itself.

One place for the bookkeeping the Access panel relies on: the account's ``last_action``, an
audit event, the customer's summary columns, and the changes feed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Invite, PortalAccount, PortalSession, ResetToken
from server.domain.audit import Actor, record_event
from server.domain.portal_auth import touch_account_summary


def note_access_change(
    session: Session, actor: Actor, account: PortalAccount, action: str, **detail: Any
) -> None:
    """Record ``portal.<action>`` on an account that was just changed in this transaction."""
    now = utcnow()
    account.last_action = {
        "action": action,
        "by": actor.name,
        "by_kind": actor.kind,
        "at": now.isoformat(),
    }
    account.updated_at = now
    session.flush()
    record_event(
        session,
        account.workspace_id,
        actor,
        f"portal.{action}",
        customer_id=account.customer_id,
        contact_id=account.contact_id,
        **detail,
    )
    touch_account_summary(session, account)


def revoke_pending_invites(session: Session, account_id: int) -> int:
    """Kill every invite link of an account that could still be used; returns how many."""
    result = session.execute(
        update(Invite)
        .where(
            Invite.account_id == account_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_pending_resets(session: Session, account_id: int) -> int:
    """Kill every reset link of an account that could still be used; returns how many."""
    result = session.execute(
        update(ResetToken)
        .where(
            ResetToken.account_id == account_id,
            ResetToken.used_at.is_(None),
            ResetToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def end_all_sessions(session: Session, account_id: int) -> int:
    """End every session of an account (staff previews of it included); returns how many."""
    result = session.execute(
        update(PortalSession)
        .where(PortalSession.account_id == account_id, PortalSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
