"""Arranging customers, contacts and portal accounts directly in the database for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Address, Contact, Customer, PortalAccount
from server.domain.customer_summary import refresh_customer
from server.domain.secrets import hash_password


@dataclass
class Made:
    """Ids of what was created."""

    customer_id: int
    contact_ids: list[int]


def add_customer(
    factory: sessionmaker[Session],
    workspace_id: int,
    name: str,
    contacts: list[tuple[str, str | None, str | None]] | None = None,
    *,
    address: tuple[str, str, str] | None = None,
    phone: str | None = None,
) -> Made:
    """A customer with contacts ``(name, email, phone)``; the first is primary."""
    contacts = contacts if contacts is not None else [(name, None, None)]
    with factory() as s:
        parts = name.split()
        c = Customer(
            workspace_id=workspace_id,
            name=name,
            sort_name=" ".join(reversed(parts)).lower() if len(parts) > 1 else name.lower(),
            phone=phone,
        )
        s.add(c)
        s.flush()
        ids = []
        for i, (cname, email, cphone) in enumerate(contacts):
            contact = Contact(
                workspace_id=workspace_id,
                customer_id=c.id,
                name=cname,
                email=email,
                email_normalized=email.strip().lower() if email else None,
                phone=cphone,
                is_primary=i == 0,
            )
            s.add(contact)
            s.flush()
            ids.append(contact.id)
        if address:
            line1, city, postcode = address
            s.add(
                Address(
                    workspace_id=workspace_id,
                    customer_id=c.id,
                    line1=line1,
                    city=city,
                    postcode=postcode,
                )
            )
        s.flush()
        refresh_customer(s, c)
        s.commit()
        return Made(c.id, ids)


def activate(
    factory: sessionmaker[Session],
    contact_id: int,
    *,
    locked_until: datetime | None = None,
    failed_attempts: int = 0,
) -> int:
    """Make the contact's account active with a password, as if the invite was accepted."""
    from sqlalchemy import select

    with factory() as s:
        contact = s.get(Contact, contact_id)
        assert contact is not None and contact.email_normalized
        account = s.scalar(select(PortalAccount).where(PortalAccount.contact_id == contact_id))
        if account is None:
            account = PortalAccount(
                workspace_id=contact.workspace_id,
                contact_id=contact.id,
                customer_id=contact.customer_id,
                email_normalized=contact.email_normalized,
            )
            s.add(account)
        account.status = "active"
        account.password_hash = hash_password("a long enough password")
        account.locked_until = locked_until
        account.failed_attempts = failed_attempts
        s.flush()
        customer = s.get(Customer, contact.customer_id)
        assert customer is not None
        refresh_customer(s, customer)
        s.commit()
        return account.id


def set_role_permissions(
    factory: sessionmaker[Session], workspace_id: int, role: str, names: list[str]
) -> None:
    """Override one role's permissions in a workspace."""
    from server.db.models import Workspace

    with factory() as s:
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        ws.permissions = {**(ws.permissions or {}), role: names}
        s.commit()
