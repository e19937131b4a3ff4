"""Keeps a customer's denormalised columns (search text, primary contact, access) current.

Call ``refresh_customer`` in the same transaction as any change to a customer, its contacts,
addresses, portal accounts or invites. List, search and the portal-status filter then read
one table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Address, Contact, Customer, Invite, PortalAccount
from server.wire.customers import CustomerRow

_RANK = {"active": 3, "invited": 2, "disabled": 1}


def search_text(customer: Customer, contacts: list[Contact], addresses: list[Address]) -> str:
    """Lower-cased text that search matches against: names, emails, phones, addresses."""
    parts: list[str | None] = [customer.name, customer.phone]
    for c in contacts:
        parts += [c.name, c.email_normalized, c.phone]
    parts += [a.one_line() for a in addresses]
    phones = [p for p in (customer.phone, *(c.phone for c in contacts)) if p]
    parts += ["".join(ch for ch in p if ch.isdigit()) for p in phones]
    return " ".join(p.lower() for p in parts if p)


def refresh_customer(session: Session, customer: Customer) -> None:
    """Recompute the summary columns of one customer from its rows."""
    contacts = list(
        session.scalars(
            select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.id)
        )
    )
    addresses = list(
        session.scalars(
            select(Address).where(Address.customer_id == customer.id).order_by(Address.id)
        )
    )
    accounts = {
        a.contact_id: a
        for a in session.scalars(
            select(PortalAccount).where(PortalAccount.customer_id == customer.id)
        )
    }
    primary = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
    customer.primary_contact_id = primary.id if primary else None
    customer.primary_contact_name = primary.name if primary else None
    customer.primary_email = primary.email if primary else None
    customer.address_line = addresses[0].one_line() if addresses else None
    customer.search_text = search_text(customer, contacts, addresses)

    account = accounts.get(primary.id) if primary else None
    if account is None and accounts:
        account = max(accounts.values(), key=lambda a: (_RANK.get(a.status, 0), a.id))
    customer.access_status = account.status if account else "not_invited"
    customer.access_locked_until = account.locked_until if account else None
    customer.last_sign_in_at = account.last_sign_in_at if account else None
    customer.access_invite_expires_at = None
    if account is not None and account.status == "invited":
        customer.access_invite_expires_at = session.scalar(
            select(Invite.expires_at)
            .where(
                Invite.account_id == account.id,
                Invite.revoked_at.is_(None),
                Invite.used_at.is_(None),
            )
            .order_by(Invite.id.desc())
            .limit(1)
        )
    customer.updated_at = utcnow()


def portal_status(customer: Customer, now: datetime | None = None) -> str:
    """The customer's portal status as shown in lists: adds ``invite_expired`` and ``locked``."""
    now = now or utcnow()
    status = customer.access_status
    if status == "active" and customer.access_locked_until and customer.access_locked_until > now:
        return "locked"
    if status == "invited" and (
        customer.access_invite_expires_at is None or customer.access_invite_expires_at <= now
    ):
        return "invite_expired"
    return status


def customer_row_fields(customer: Customer, now: datetime | None = None) -> dict[str, Any]:
    """The fields of a customer's list/feed row as plain values (what ``CustomerRow`` holds);
    the customer list encodes these directly, with no model in between."""
    return {
        "id": customer.id,
        "external_id": customer.external_id,
        "name": customer.name,
        "kind": customer.kind,
        "phone": customer.phone,
        "address": customer.address_line,
        "primary_contact_id": customer.primary_contact_id,
        "primary_contact_name": customer.primary_contact_name,
        "primary_email": customer.primary_email,
        "portal_status": portal_status(customer, now),
        "invite_expires_at": customer.access_invite_expires_at,
        "locked_until": customer.access_locked_until,
        "last_sign_in_at": customer.last_sign_in_at,
        "version": customer.version,
        "updated_at": customer.updated_at,
    }


def customer_row(customer: Customer, now: datetime | None = None) -> CustomerRow:
    """The list/feed representation of a customer."""
    return CustomerRow.model_validate(customer_row_fields(customer, now))
