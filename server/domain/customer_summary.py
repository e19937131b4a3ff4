"""Keeps a customer's denormalised columns (search text, primary contact, access) current.

Call ``refresh_customer`` in the same transaction as any change to a customer, its contacts,
addresses, portal accounts or invites. List, search and the portal-status filter then read
one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Address, Contact, Customer, Invite, PortalAccount
from server.wire.customers import CustomerRow
from server.wire.portal_status import shown_status


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

    # The row names the primary contact, so its status is that contact's and nobody else's:
    # another contact's access beside the primary's name would have a dispatcher act on the
    # wrong person. Every contact's own access is in the customer's details.
    account = accounts.get(primary.id) if primary else None
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


# Column of ``Customer`` -> field of ``CustomerRow``, in the row's order.
ROW_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("external_id", "external_id"),
    ("name", "name"),
    ("kind", "kind"),
    ("phone", "phone"),
    ("address_line", "address"),
    ("primary_contact_id", "primary_contact_id"),
    ("primary_contact_name", "primary_contact_name"),
    ("primary_email", "primary_email"),
    ("access_status", "portal_status"),
    ("access_invite_expires_at", "invite_expires_at"),
    ("access_locked_until", "locked_until"),
    ("last_sign_in_at", "last_sign_in_at"),
    ("version", "version"),
    ("updated_at", "updated_at"),
)
_FIELD_NAMES = tuple(field for _, field in ROW_FIELDS)


def portal_status(customer: Customer, now: datetime | None = None) -> str:
    """The customer's portal status as shown in lists: adds ``invite_expired`` and ``locked``."""
    return shown_status(
        customer.access_status,
        customer.access_locked_until,
        customer.access_invite_expires_at,
        now or utcnow(),
    )


def row_fields(values: Sequence[Any], now: datetime) -> dict[str, Any]:
    """A ``CustomerRow`` as plain values from the columns of ``ROW_FIELDS``, selected in that
    order (more columns may follow). The customer list encodes these with no model between."""
    row = dict(zip(_FIELD_NAMES, values, strict=False))
    row["portal_status"] = shown_status(
        row["portal_status"], row["locked_until"], row["invite_expires_at"], now
    )
    return row


def customer_row(customer: Customer, now: datetime | None = None) -> CustomerRow:
    """The list/feed representation of a customer."""
    values = [getattr(customer, column) for column, _ in ROW_FIELDS]
    return CustomerRow.model_validate(row_fields(values, now or utcnow()))
