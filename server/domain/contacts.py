"""Editing a contact's name, email and phone from the console (the email clean-up).

Writes are optimistic: ``If-Match`` carries the contact's version. Changing the email of a
contact with a portal account moves its sign-in, by the rule in ``server.domain.sign_in_email``
(a permission of its own, links revoked, the old address told, audited before and after).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, PortalAccount, Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match
from server.domain.customer_summary import refresh_customer
from server.domain.customers import contact_in_workspace
from server.domain.emails import email_problem, normalise_email
from server.domain.errors import Conflict, Invalid
from server.domain.sign_in_email import move_sign_in
from server.wire.access import ContactPatch


def _new_email(
    session: Session, contact: Contact, account: PortalAccount | None, raw: str | None
) -> str | None:
    if raw is None or not raw.strip():
        if account is not None:
            problem = (
                "This contact has a portal account, which signs in with its email. "
                "Give a new address instead of removing it."
            )
            raise Invalid(problem, errors={"email": problem})
        return None
    email = normalise_email(raw)
    invalid = email_problem(email)
    if invalid:
        raise Invalid(invalid, errors={"email": invalid})
    if account is not None:
        other = session.scalar(
            select(PortalAccount.id).where(
                PortalAccount.workspace_id == contact.workspace_id,
                PortalAccount.email_normalized == email,
                PortalAccount.id != account.id,
            )
        )
        if other is not None:
            raise Conflict(
                f"{email} is already used for the portal by another contact. "
                "Each portal sign-in needs its own email address."
            )
    return email


def update_contact(
    session: Session,
    ws: Workspace,
    actor: Actor,
    contact_id: int,
    patch: ContactPatch,
    if_match: str | None,
) -> Contact:
    """Apply the fields given in ``patch``; 412 when the contact changed since it was read."""
    contact = contact_in_workspace(session, ws.id, contact_id, for_update=True)
    check_if_match(if_match, contact.version, "contact")
    given = patch.model_fields_set
    if "name" in given and patch.name is None:
        raise Invalid("A contact needs a name.", errors={"name": "This field is required."})
    account = session.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact.id))
    changed: dict[str, Any] = {}
    if "name" in given and patch.name is not None and patch.name != contact.name:
        changed["name"] = {"from": contact.name, "to": patch.name}
        contact.name = patch.name
    if "phone" in given and (patch.phone or None) != contact.phone:
        changed["phone"] = {"from": contact.phone, "to": patch.phone or None}
        contact.phone = patch.phone or None
    if "time_zone" in given and (patch.time_zone or None) != contact.time_zone:
        changed["time_zone"] = {"from": contact.time_zone, "to": patch.time_zone or None}
        contact.time_zone = patch.time_zone or None
    links_revoked = 0
    if "email" in given:
        email = _new_email(session, contact, account, patch.email)
        if email != contact.email_normalized or email != contact.email:
            changed["email"] = {"from": contact.email, "to": email}
            contact.email = email
            contact.email_normalized = email
            if account is not None and email is not None and email != account.email_normalized:
                links_revoked = move_sign_in(session, ws, actor, contact, account, email)
    if not changed:
        session.commit()
        return contact
    contact.version += 1
    contact.updated_at = utcnow()
    record_event(
        session,
        ws.id,
        actor,
        "contact.updated",
        customer_id=contact.customer_id,
        contact_id=contact.id,
        changes=changed,
        links_revoked=links_revoked,
    )
    customer = session.get(Customer, contact.customer_id)
    try:
        session.flush()
        if customer is not None:
            refresh_customer(session, customer)
            record_change(session, ws.id, "customer", customer.id, "upsert")
        record_change(session, ws.id, "contact", contact.id, "upsert")
        if account is not None:
            record_change(session, ws.id, "portal_account", account.id, "upsert")
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That email address was just taken by another portal account.") from exc
    return contact
