"""Moving a portal account's sign-in to another email address: one rule for every path.

The rule. The email of a contact whose portal account exists, in any state (invited, active,
locked or disabled), is that account's sign-in. Changing it:

- needs the ``edit_contact_email`` permission, which owners and managers have by default and
  dispatchers do not, whether the change comes from the console (``PATCH /contacts/{id}``) or
  from the CRM's records intake (checked against the staff member whose token the CRM uses);
- revokes every invite and reset link still out (they were mailed to the old address), so an
  invited contact needs a new invite at the new address;
- emails the old address that the sign-in moved (the new address shown only in part, no
  link), so a customer whose sign-in was redirected finds out;
- writes ``portal.sign_in_email_changed`` to the audit log with the address before and after.

The password and open sessions stay: the person is the same. A contact without a portal
account is only office data: anyone with ``edit_contacts`` may fix its email (the email
clean-up), and only an invite, sent to the address then on file, creates a sign-in. Staff
never set, see or receive a customer's password or a reset link: resets are mailed to the
account's own address and never shown in the console or the outbox.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Contact, PortalAccount, StaffUser, Workspace
from server.domain.access_changes import (
    note_access_change,
    revoke_pending_invites,
    revoke_pending_resets,
)
from server.domain.audit import Actor
from server.domain.branding import published_branding
from server.domain.errors import Forbidden
from server.domain.messages import email_changed_message
from server.domain.outbox import queue_email
from server.domain.permissions import Permission, permissions_for

NEEDS_PERMISSION = (
    "{name} signs in to the portal with this email, so only someone with the "
    "'edit contact email' permission may change it (owners and managers have it). "
    "Ask the workspace owner."
)


def may_move_sign_in(session: Session, ws: Workspace, actor: Actor) -> bool:
    """Whether the staff member behind ``actor`` (console or CRM) has ``edit_contact_email``;
    the system itself (demo data, migrations) always may."""
    if actor.kind not in ("staff", "crm"):
        return True
    role = session.scalar(
        select(StaffUser.role).where(StaffUser.id == actor.id, StaffUser.workspace_id == ws.id)
    )
    return role is not None and Permission.EDIT_CONTACT_EMAIL in permissions_for(
        role, ws.permissions
    )


def move_sign_in(
    session: Session,
    ws: Workspace,
    actor: Actor,
    contact: Contact,
    account: PortalAccount,
    new_email: str,
) -> int:
    """Move ``account`` to ``new_email`` (already checked as an address and as free in the
    workspace) by the rule above; returns how many links were revoked. Raises ``Forbidden``
    without the permission, before anything changes."""
    old = account.email_normalized
    if new_email == old:
        return 0
    if not may_move_sign_in(session, ws, actor):
        raise Forbidden(NEEDS_PERMISSION.format(name=contact.name))
    account.email_normalized = new_email
    revoked = revoke_pending_invites(session, account.id)
    revoked += revoke_pending_resets(session, account.id)
    queue_email(
        session,
        ws.id,
        "email_changed",
        old,
        email_changed_message(published_branding(ws), contact.name, new_email),
        account_id=account.id,
        customer_id=account.customer_id,
    )
    note_access_change(
        session,
        actor,
        account,
        "sign_in_email_changed",
        before=old,
        after=new_email,
        links_revoked=revoked,
        old_address_told=True,
    )
    return revoked
