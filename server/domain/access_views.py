"""How portal accounts, contacts and one customer look to staff (read side of the Access panel).

Everything for a set of accounts is loaded in a fixed number of queries: the newest invite of
each, the emails those invites queued, and the names of the staff members involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    Address,
    Contact,
    Customer,
    Invite,
    OutboxEmail,
    PortalAccount,
    StaffUser,
)
from server.domain.customer_summary import customer_row
from server.domain.emails import email_problem
from server.wire.access import EmailStatus
from server.wire.customers import (
    AddressOut,
    ContactOut,
    CustomerDetail,
    InviteState,
    LastAction,
    PortalAccountOut,
)


def account_status(account: PortalAccount, invite: Invite | None, now: datetime) -> str:
    """An account's portal status: the stored one plus ``invite_expired`` and ``locked``."""
    if account.status == "active" and account.locked_until and account.locked_until > now:
        return "locked"
    if account.status == "invited":
        pending = invite is not None and invite.used_at is None and invite.revoked_at is None
        if not pending or invite is None or invite.expires_at <= now:
            return "invite_expired"
    return account.status


def _last_action(raw: dict[str, Any] | None) -> LastAction | None:
    if not raw:
        return None
    try:
        return LastAction.model_validate(raw)
    except ValueError:  # written by an older version: show nothing rather than fail the page
        return None


def account_views(
    session: Session, accounts: Iterable[PortalAccount]
) -> dict[int, PortalAccountOut]:
    """The staff view of each account, keyed by account id."""
    accounts = list(accounts)
    if not accounts:
        return {}
    ids = [a.id for a in accounts]
    newest = (
        select(func.max(Invite.id)).where(Invite.account_id.in_(ids)).group_by(Invite.account_id)
    )
    invites = {
        i.account_id: i for i in session.scalars(select(Invite).where(Invite.id.in_(newest)))
    }
    outbox_ids = [i.outbox_id for i in invites.values() if i.outbox_id]
    emails = (
        dict(
            session.execute(
                select(OutboxEmail.id, OutboxEmail.status).where(OutboxEmail.id.in_(outbox_ids))
            ).all()
        )
        if outbox_ids
        else {}
    )
    staff_ids = {i.sent_by_id for i in invites.values()} | {a.disabled_by_id for a in accounts}
    staff_ids.discard(None)
    names = (
        dict(
            session.execute(
                select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids))
            ).all()
        )
        if staff_ids
        else {}
    )
    now = utcnow()
    views: dict[int, PortalAccountOut] = {}
    for a in accounts:
        inv = invites.get(a.id)
        invite = None
        if inv is not None:
            invite = InviteState(
                id=inv.id,
                held=inv.held,
                sent_at=inv.created_at,
                expires_at=inv.expires_at,
                expired=inv.expires_at <= now,
                used_at=inv.used_at,
                revoked_at=inv.revoked_at,
                sent_by=names.get(inv.sent_by_id) if inv.sent_by_id else None,
                email_id=inv.outbox_id,
                email_status=emails.get(inv.outbox_id) if inv.outbox_id else None,
            )
        locked = bool(a.locked_until and a.locked_until > now)
        views[a.id] = PortalAccountOut(
            id=a.id,
            contact_id=a.contact_id,
            customer_id=a.customer_id,
            email=a.email_normalized,
            status=a.status,
            portal_status=account_status(a, inv, now),
            invite=invite,
            last_sign_in_at=a.last_sign_in_at,
            failed_attempts=a.failed_attempts,
            locked_until=a.locked_until,
            locked=locked,
            disabled_at=a.disabled_at,
            disabled_reason=a.disabled_reason,
            disabled_by=names.get(a.disabled_by_id) if a.disabled_by_id else None,
            last_action=_last_action(a.last_action),
            created_at=a.created_at,
            updated_at=a.updated_at,
        )
    return views


def account_view(session: Session, account: PortalAccount) -> PortalAccountOut:
    """The staff view of one account."""
    return account_views(session, [account])[account.id]


def contact_view(contact: Contact, account: PortalAccountOut | None) -> ContactOut:
    """A contact with its account view."""
    return ContactOut(
        id=contact.id,
        customer_id=contact.customer_id,
        external_id=contact.external_id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        role=contact.role,
        is_primary=contact.is_primary,
        email_problem=email_problem(contact.email),
        version=contact.version,
        updated_at=contact.updated_at,
        portal_account=account,
        time_zone=contact.time_zone,
    )


def contact_with_account(session: Session, contact: Contact) -> ContactOut:
    """One contact with its portal account (or None)."""
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact.id))
    return contact_view(contact, account_view(session, account) if account else None)


def email_status(row: OutboxEmail) -> EmailStatus:
    """A queued email as staff see it."""
    return EmailStatus(
        id=row.id,
        kind=row.kind,
        to_address=row.to_address,
        status=row.status,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def customer_detail(session: Session, customer: Customer) -> CustomerDetail:
    """A customer with contacts (primary first), their accounts, and addresses."""
    contacts = list(
        session.scalars(
            select(Contact)
            .where(Contact.customer_id == customer.id)
            .order_by(Contact.is_primary.desc(), Contact.id)
        )
    )
    accounts = list(
        session.scalars(select(PortalAccount).where(PortalAccount.customer_id == customer.id))
    )
    views = account_views(session, accounts)
    by_contact = {a.contact_id: views[a.id] for a in accounts}
    addresses = session.scalars(
        select(Address).where(Address.customer_id == customer.id).order_by(Address.id)
    )
    row = customer_row(customer)
    return CustomerDetail(
        **row.model_dump(),
        notes=customer.notes,
        created_at=customer.created_at,
        contacts=[contact_view(c, by_contact.get(c.id)) for c in contacts],
        addresses=[
            AddressOut(
                id=a.id,
                label=a.label,
                line1=a.line1,
                line2=a.line2,
                city=a.city,
                region=a.region,
                postcode=a.postcode,
                one_line=a.one_line(),
            )
            for a in addresses
        ],
    )
