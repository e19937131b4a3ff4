"""Staff API: a contact's portal access. Every action is a POST under ``/api/v1/contacts/{id}``:

- ``portal-invite``: invite (creates the account); answers the ``invite_url`` this once.
- ``portal-invite/resend``: a new link and email; the old link stops working.
- ``portal-invite/revoke``: the link stops working.
- ``portal-access/disable``: JSON ``{"reason"}``; ends every session and link at once.
- ``portal-access/enable``: undo a disable.
- ``portal-access/reset-link``: mails a one-hour reset link to the customer (works while
  locked out). The link is not in the answer: staff never hold a way to set a password.
- ``portal-access/unlock``: clear failed attempts and the lockout.

Repeating enable, disable, revoke or unlock changes nothing the second time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from server.deps import DB, RowIdPath, StaffContext, need, public_base_url
from server.domain import access as service
from server.domain import invites
from server.domain.access_views import account_view, email_status
from server.domain.permissions import Permission
from server.wire.access import DisableRequest, InviteOut, ResetLinkOut
from server.wire.customers import PortalAccountOut

router = APIRouter(prefix="/contacts/{contact_id}", tags=["access"])


def _invite_out(db: DB, issued: invites.IssuedInvite) -> InviteOut:
    return InviteOut(
        contact_id=issued.account.contact_id,
        customer_id=issued.account.customer_id,
        held=issued.held,
        invite_url=issued.url,
        expires_at=None if issued.held else issued.invite.expires_at,
        email=email_status(issued.email) if issued.email is not None else None,
        account=account_view(db, issued.account),
    )


@router.post("/portal-invite", response_model=InviteOut, status_code=201)
def invite(
    contact_id: RowIdPath,
    request: Request,
    staff: Annotated[StaffContext, need(Permission.INVITE)],
    db: DB,
) -> InviteOut:
    """Invite the contact to the portal and queue the invite email."""
    base = public_base_url(request)
    issued = invites.send_invite(db, staff.workspace, staff.actor, contact_id, base)
    return _invite_out(db, issued)


@router.post("/portal-invite/resend", response_model=InviteOut, status_code=201)
def resend(
    contact_id: RowIdPath,
    request: Request,
    staff: Annotated[StaffContext, need(Permission.INVITE)],
    db: DB,
) -> InviteOut:
    """Send a new invite link; every older link stops working."""
    base = public_base_url(request)
    issued = invites.resend_invite(db, staff.workspace, staff.actor, contact_id, base)
    return _invite_out(db, issued)


@router.post("/portal-invite/revoke", response_model=PortalAccountOut)
def revoke(
    contact_id: RowIdPath, staff: Annotated[StaffContext, need(Permission.INVITE)], db: DB
) -> PortalAccountOut:
    """Make the contact's invite link stop working."""
    account = invites.revoke_invite(db, staff.workspace, staff.actor, contact_id)
    return account_view(db, account)


@router.post("/portal-access/disable", response_model=PortalAccountOut)
def disable(
    contact_id: RowIdPath,
    body: DisableRequest,
    staff: Annotated[StaffContext, need(Permission.DISABLE)],
    db: DB,
) -> PortalAccountOut:
    """Disable portal access (reason required); the contact is signed out everywhere."""
    account = service.disable_access(db, staff.workspace, staff.actor, contact_id, body.reason)
    return account_view(db, account)


@router.post("/portal-access/enable", response_model=PortalAccountOut)
def enable(
    contact_id: RowIdPath, staff: Annotated[StaffContext, need(Permission.DISABLE)], db: DB
) -> PortalAccountOut:
    """Give disabled access back (a contact without a password will need a new invite)."""
    account = service.enable_access(db, staff.workspace, staff.actor, contact_id)
    return account_view(db, account)


@router.post("/portal-access/reset-link", response_model=ResetLinkOut, status_code=201)
def reset_link(
    contact_id: RowIdPath,
    request: Request,
    staff: Annotated[StaffContext, need(Permission.RESET)],
    db: DB,
) -> ResetLinkOut:
    """Mail the customer a one-hour link to choose a new password."""
    base = public_base_url(request)
    sent = service.send_reset_link(db, staff.workspace, staff.actor, contact_id, base)
    return ResetLinkOut(
        contact_id=sent.account.contact_id,
        customer_id=sent.account.customer_id,
        expires_at=sent.expires_at,
        email=email_status(sent.email),
        account=account_view(db, sent.account),
    )


@router.post("/portal-access/unlock", response_model=PortalAccountOut)
def unlock(
    contact_id: RowIdPath, staff: Annotated[StaffContext, need(Permission.UNLOCK)], db: DB
) -> PortalAccountOut:
    """Clear failed sign-in attempts and the lockout."""
    account = service.unlock_access(db, staff.workspace, staff.actor, contact_id)
    return account_view(db, account)
