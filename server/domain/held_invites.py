"""Sending the invites held while a portal was coming soon, after it goes live.

Going live only switches the portal on; the held invites go out afterwards in batches, each
batch its own short transaction (``release_batch``), so tens of thousands of them hold no HTTP
request and no long transaction. Within a batch, an invite is claimed by an UPDATE that only
succeeds while it is still held, and its fresh link, its queued email and its audit event are
written in the same transaction as the claim: a server stopped halfway leaves every invite
either sent once (email queued) or still held (no email), and the next run carries on with
the held ones. Two workers, or two runs, never send the same invite twice.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import AuditEvent, Contact, Invite, PortalAccount, Workspace
from server.domain.access_changes import note_access_change
from server.domain.audit import SYSTEM, Actor
from server.domain.branding import published_branding
from server.domain.invites import INVITE_LIFETIME, invite_url, queue_invite_email
from server.domain.secrets import digest, new_token

BATCH = 100  # invites per transaction: a fraction of a second each, even on a busy machine


def _waiting() -> Select[Invite, PortalAccount, Contact]:
    """Held invites that still wait to be sent (not revoked, not used, account invited)."""
    return (
        select(Invite, PortalAccount, Contact)
        .join(PortalAccount, PortalAccount.id == Invite.account_id)
        .join(Contact, Contact.id == PortalAccount.contact_id)
        .where(
            Invite.held.is_(True),
            Invite.revoked_at.is_(None),
            Invite.used_at.is_(None),
            PortalAccount.status == "invited",
        )
    )


def waiting(session: Session, workspace_id: int) -> int:
    """How many held invites of a workspace still wait to be sent."""
    stmt = _waiting().where(Invite.workspace_id == workspace_id)
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def workspaces_to_release(session: Session) -> list[int]:
    """Live workspaces with held invites still to send (after a go-live, or a restart)."""
    stmt = (
        _waiting()
        .join(Workspace, Workspace.id == Invite.workspace_id)
        .where(Workspace.portal_status == "active")
        .with_only_columns(Invite.workspace_id)
        .distinct()
    )
    return [int(i) for i in session.scalars(stmt)]


def _releaser(session: Session, ws: Workspace) -> Actor:
    """Who switched the portal on: the sent invites are audited as theirs."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.workspace_id == ws.id,
            AuditEvent.action == "workspace.portal_activated",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return SYSTEM
    return Actor(event.actor_kind, event.actor_id, event.actor_name)


def release_batch(session: Session, workspace_id: int, base_url: str, limit: int = BATCH) -> int:
    """Send up to ``limit`` held invites of a live workspace in one transaction; answers how
    many were sent (0: none left, or the portal is no longer live and they stay held)."""
    ws = session.get(Workspace, workspace_id)
    if ws is None or ws.portal_status != "active":
        session.rollback()
        return 0
    stmt = _waiting().where(Invite.workspace_id == ws.id).order_by(Invite.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # Several workers share the work instead of queueing behind each other's rows.
        stmt = stmt.with_for_update(of=Invite, skip_locked=True)
    rows = session.execute(stmt).all()
    if not rows:
        session.rollback()
        return 0
    actor = _releaser(session, ws)
    branding = published_branding(ws)
    now = utcnow()
    sent = 0
    for invite, account, contact in rows:
        token = new_token()
        claimed = session.execute(
            update(Invite)
            .where(Invite.id == invite.id, Invite.held.is_(True))
            .values(
                held=False,
                digest=digest(token),
                created_at=now,
                expires_at=now + INVITE_LIFETIME,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue  # another worker sent it a moment ago
        email = account.email_normalized
        url = invite_url(base_url, ws, token)
        row = queue_invite_email(session, ws, contact, email, account, url, branding)
        session.execute(update(Invite).where(Invite.id == invite.id).values(outbox_id=row.id))
        note_access_change(
            session,
            actor,
            account,
            "invite_sent",
            email=email,
            expires_at=(now + INVITE_LIFETIME).isoformat(),
            released_from_hold=True,
        )
        sent += 1
    session.commit()
    return sent
