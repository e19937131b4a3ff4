"""Inviting a contact to the portal: send, resend (the old link dies) and revoke.

The invite email is queued in the same transaction as the invite, so either both exist or
neither does. The link's token is returned once; only its SHA-256 digest is stored.

While the workspace's portal is coming soon an invite is *held*: the account and the invite
exist (the console shows "Held until the portal goes live"), but no email is queued and no
usable link exists, since a customer following one would only find the coming-soon page while
the invite's 7 days ran out. Switching the portal to active sends every held invite with a
fresh link, and each one's 7 days start then (``held_invites``, in batches after the switch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, Invite, OutboxEmail, PortalAccount, Workspace
from server.domain.access_changes import note_access_change, revoke_pending_invites
from server.domain.audit import Actor
from server.domain.branding import published_branding
from server.domain.customers import contact_in_workspace
from server.domain.emails import normalise_email
from server.domain.errors import Conflict, Invalid
from server.domain.invite_rules import classify
from server.domain.messages import invite_message
from server.domain.outbox import queue_email
from server.domain.secrets import digest, new_token
from server.wire.branding import Branding

INVITE_LIFETIME = timedelta(days=7)
# A held invite does not expire: its clock starts when it is sent.
HELD_EXPIRY = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class IssuedInvite:
    """An invite just created, with the one copy of its link (none while it is held)."""

    invite: Invite
    account: PortalAccount
    email: OutboxEmail | None
    url: str | None

    @property
    def held(self) -> bool:
        """Made while the portal is coming soon: sent when it goes live."""
        return self.invite.held


def invite_url(base_url: str, ws: Workspace, token: str) -> str:
    """The link a customer follows to accept an invite."""
    return f"{base_url.rstrip('/')}/p/{ws.slug}/invite/{token}"


def account_of(
    session: Session, contact: Contact, *, for_update: bool = False
) -> PortalAccount | None:
    """The contact's portal account, if it has one."""
    stmt = select(PortalAccount).where(PortalAccount.contact_id == contact.id)
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def issue_invite(
    session: Session,
    ws: Workspace,
    actor: Actor,
    contact: Contact,
    account: PortalAccount | None,
    base_url: str,
    *,
    action: str = "invite_sent",
    branding: Branding | None = None,
) -> IssuedInvite:
    """Create the account if needed, kill older links, add the invite and queue its email.

    While the portal is not active the invite is held instead (no email, no link). The caller
    has checked the contact may be invited (``invite_rules.classify``).
    """
    assert contact.email is not None
    email = normalise_email(contact.email)
    if account is None:
        account = PortalAccount(
            workspace_id=ws.id,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            email_normalized=email,
            status="invited",
        )
        session.add(account)
    else:
        account.email_normalized = email
    session.flush()
    revoked = revoke_pending_invites(session, account.id)
    hold = ws.portal_status != "active"
    token = new_token()  # held: thrown away, so the stored digest matches no link
    now = utcnow()
    invite = Invite(
        workspace_id=ws.id,
        account_id=account.id,
        digest=digest(token),
        created_at=now,
        expires_at=HELD_EXPIRY if hold else now + INVITE_LIFETIME,
        sent_by_id=actor.id if actor.kind == "staff" else None,
        held=hold,
    )
    session.add(invite)
    if hold:
        note_access_change(
            session, actor, account, "invite_held", email=email, older_links_revoked=revoked
        )
        return IssuedInvite(invite, account, None, None)
    url = invite_url(base_url, ws, token)
    row = queue_invite_email(session, ws, contact, email, account, url, branding)
    invite.outbox_id = row.id
    note_access_change(
        session,
        actor,
        account,
        action,
        email=email,
        expires_at=invite.expires_at.isoformat(),
        older_links_revoked=revoked,
    )
    return IssuedInvite(invite, account, row, url)


def queue_invite_email(
    session: Session,
    ws: Workspace,
    contact: Contact,
    email: str,
    account: PortalAccount,
    url: str,
    branding: Branding | None,
) -> OutboxEmail:
    """Queue the invite email of a contact with its link (in the caller's transaction)."""
    customer = session.get(Customer, contact.customer_id)
    message = invite_message(
        branding or published_branding(ws), contact.name, customer.name if customer else "", url
    )
    return queue_email(
        session,
        ws.id,
        "invite",
        email,
        message,
        account_id=account.id,
        customer_id=contact.customer_id,
    )


def _refuse(outcome: str, detail: str) -> None:
    if outcome in ("no_email", "invalid_email"):
        raise Invalid(detail, errors={"email": detail})
    raise Conflict(detail)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as exc:  # two dispatchers inviting the same address at once
        session.rollback()
        raise Conflict(
            "That email address was just taken by another portal account. Reload and check."
        ) from exc


def send_invite(
    session: Session, ws: Workspace, actor: Actor, contact_id: int, base_url: str
) -> IssuedInvite:
    """Invite a contact (a first invite, or a new one after the last expired)."""
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    account = account_of(session, contact, for_update=True)
    accounts = {contact.id: account} if account else {}
    verdict = classify(session, ws.id, [contact], accounts)[contact.id]
    if not verdict.ok:
        _refuse(verdict.outcome, verdict.detail)
    issued = issue_invite(session, ws, actor, contact, account, base_url)
    _commit(session)
    return issued


def resend_invite(
    session: Session, ws: Workspace, actor: Actor, contact_id: int, base_url: str
) -> IssuedInvite:
    """A new invite link and email for an invited contact; every older link stops working."""
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    account = account_of(session, contact, for_update=True)
    if account is None:
        raise Conflict(f"{contact.name} has not been invited yet. Send an invite first.")
    if account.status != "invited":
        state = "already has portal access" if account.status == "active" else "is disabled"
        raise Conflict(f"{contact.name}'s portal access {state}; there is no invite to resend.")
    verdict = classify(session, ws.id, [contact], {})[contact.id]
    # The contact's own account holding the address is expected here; anything else is not.
    if not verdict.ok and verdict.outcome not in ("already_invited",):
        _refuse(verdict.outcome, verdict.detail)
    issued = issue_invite(session, ws, actor, contact, account, base_url, action="invite_resent")
    _commit(session)
    return issued


def revoke_invite(session: Session, ws: Workspace, actor: Actor, contact_id: int) -> PortalAccount:
    """Kill the contact's invite link. Revoking twice is harmless: nothing more happens."""
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    account = account_of(session, contact, for_update=True)
    if account is None:
        raise Conflict(f"{contact.name} has not been invited; there is no invite to revoke.")
    if account.status == "active":
        raise Conflict(
            f"{contact.name} already accepted the invite. Disable access to stop them signing in."
        )
    revoked = revoke_pending_invites(session, account.id)
    if revoked:
        note_access_change(session, actor, account, "invite_revoked", links_revoked=revoked)
    session.commit()
    return account
