"""Contacts pushed by the CRM, keeping their portal accounts working.

A contact's email is also the sign-in of its portal account, so an email change is applied
to the account too (``email_normalized``), unless another account of the workspace already
signs in with that address (409, nothing written), by the rule of
``server.domain.sign_in_email``: the CRM's staff member needs ``edit_contact_email`` (403),
links still open are revoked, and the old address is told.
Removing the email of a contact with a portal account is refused (409): disable the
access first. Every such change writes an audit event.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, PortalAccount, Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.errors import Conflict, Invalid
from server.domain.follow_up import contact_deleting
from server.domain.records.customers import Upserted, touch_customer
from server.domain.records.lookup import assign, by_external_id, existing, referenced_customer
from server.domain.sign_in_email import move_sign_in
from server.wire.records import ContactIn

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalise(email: str | None) -> str | None:
    email = (email or "").strip()
    return email.lower() or None


def _carry_email_to_account(
    session: Session,
    contact: Contact,
    account: PortalAccount,
    new_email: str | None,
    actor: Actor,
) -> None:
    """Apply a contact's new email to its portal account, or refuse with a reason."""
    if new_email == account.email_normalized:
        return
    if new_email is None:
        raise Conflict(
            f"{contact.name} signs in to the portal with {account.email_normalized}. "
            "Disable their portal access before removing the email."
        )
    if not _EMAIL_RE.match(new_email):
        msg = "This contact has a portal account, so the email must be a valid address."
        raise Invalid(msg, errors={"email": msg})
    taken = session.scalar(
        select(PortalAccount.id).where(
            PortalAccount.workspace_id == account.workspace_id,
            PortalAccount.email_normalized == new_email,
            PortalAccount.id != account.id,
        )
    )
    if taken is not None:
        raise Conflict(
            f"Another portal account in this workspace already signs in with {new_email}. "
            "Each portal account needs its own email."
        )
    workspace = session.get(Workspace, account.workspace_id)
    assert workspace is not None
    move_sign_in(session, workspace, actor, contact, account, new_email)
    record_change(session, account.workspace_id, "portal_account", account.id, "upsert")


def upsert_contact(
    session: Session, workspace_id: int, external_id: str, body: ContactIn, actor: Actor
) -> Upserted:
    """Create or update a contact of the customer named by ``customer_external_id``."""
    customer = referenced_customer(session, workspace_id, body.customer_external_id)
    contact = by_external_id(session, Contact, workspace_id, external_id, lock=True)
    created = contact is None
    moved_from: int | None = None
    if contact is None:
        contact = Contact(
            workspace_id=workspace_id,
            customer_id=customer.id,
            external_id=external_id,
            name=body.name,
        )
        session.add(contact)
        session.flush()
    elif contact.customer_id != customer.id:
        moved_from = contact.customer_id
    email_n = _normalise(body.email)
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact.id))
    if account is not None:
        _carry_email_to_account(session, contact, account, email_n, actor)
        if moved_from is not None:
            account.customer_id = customer.id
            record_change(session, workspace_id, "portal_account", account.id, "upsert")
    changed = assign(
        contact,
        {
            "customer_id": customer.id,
            "name": body.name,
            "email": (body.email or "").strip() or None,
            "email_normalized": email_n,
            "phone": body.phone or None,
            "role": body.role,
            "is_primary": body.is_primary,
        },
    )
    if body.is_primary:
        # One primary contact per customer: the newest claim wins.
        others = session.scalars(
            select(Contact).where(
                Contact.customer_id == customer.id,
                Contact.is_primary.is_(True),
                Contact.id != contact.id,
            )
        )
        for other in others:
            other.is_primary = False
            other.version += 1
            record_change(session, workspace_id, "contact", other.id, "upsert")
            changed = True
    if not (created or changed):
        return Upserted("contact", external_id, contact.id, False, False)
    if not created:
        contact.version += 1
    contact.updated_at = utcnow()
    session.flush()
    record_change(session, workspace_id, "contact", contact.id, "upsert")
    touch_customer(session, customer)
    if moved_from is not None:
        previous = session.get(Customer, moved_from)
        if previous is not None:
            touch_customer(session, previous)
    return Upserted("contact", external_id, contact.id, created, True)


def delete_contact(session: Session, workspace_id: int, external_id: str, actor: Actor) -> None:
    """Delete a contact; its portal account (and every session) goes with it."""
    contact = existing(session, Contact, workspace_id, external_id, "contact")
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact.id))
    customer = session.get(Customer, contact.customer_id)
    if account is not None:
        record_event(
            session,
            workspace_id,
            actor,
            "contact.deleted_with_access",
            customer_id=contact.customer_id,
            contact_id=contact.id,
            email=account.email_normalized,
            account_status=account.status,
        )
        record_change(session, workspace_id, "portal_account", account.id, "delete")
    contact_deleting(session, workspace_id, contact.id)
    session.delete(contact)
    session.flush()
    record_change(session, workspace_id, "contact", contact.id, "delete")
    if customer is not None:
        touch_customer(session, customer)
