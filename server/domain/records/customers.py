"""Customers and their service addresses, upserted and deleted by the CRM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    Address,
    Contact,
    Customer,
    Document,
    Invoice,
    Job,
    Payment,
    Photo,
    PortalAccount,
    Quote,
    ServiceRequest,
    StoredFile,
)
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.customer_summary import refresh_customer
from server.domain.follow_up import customer_deleting
from server.domain.records.lookup import assign, by_external_id, existing
from server.wire.records import AddressIn, CustomerIn


@dataclass(frozen=True)
class Upserted:
    """The outcome of one upsert."""

    entity: str
    external_id: str
    id: int
    created: bool
    changed: bool


def touch_customer(session: Session, customer: Customer) -> None:
    """Refresh a customer's summary and give it a new change (after contacts or addresses)."""
    refresh_customer(session, customer)
    customer.version += 1
    session.flush()
    record_change(session, customer.workspace_id, "customer", customer.id, "upsert")


def _address_values(a: AddressIn) -> dict[str, str | None]:
    return {
        "label": a.label,
        "line1": a.line1,
        "line2": a.line2 or None,
        "city": a.city,
        "region": a.region or None,
        "postcode": a.postcode,
    }


def _sync_addresses(session: Session, customer: Customer, wanted: list[AddressIn]) -> bool:
    """Make the stored addresses equal the list, updating in place so job links survive."""
    stored = list(
        session.scalars(
            select(Address).where(Address.customer_id == customer.id).order_by(Address.id)
        )
    )
    changed = False
    for i, item in enumerate(wanted):
        if i < len(stored):
            changed |= assign(stored[i], _address_values(item))
        else:
            session.add(
                Address(
                    workspace_id=customer.workspace_id,
                    customer_id=customer.id,
                    **_address_values(item),
                )
            )
            changed = True
    for extra in stored[len(wanted) :]:
        session.delete(extra)
        changed = True
    return changed


def upsert_customer(
    session: Session, workspace_id: int, external_id: str, body: CustomerIn
) -> Upserted:
    """Create or update a customer; the same body twice writes nothing the second time."""
    customer = by_external_id(session, Customer, workspace_id, external_id, lock=True)
    created = customer is None
    if customer is None:
        customer = Customer(workspace_id=workspace_id, external_id=external_id, name=body.name)
        customer.sort_name = body.name.lower()
        session.add(customer)
        session.flush()
    changed = assign(
        customer,
        {
            "name": body.name,
            "sort_name": body.name.lower(),
            "kind": body.kind,
            "phone": body.phone or None,
            "notes": body.notes or None,
        },
    )
    changed |= _sync_addresses(session, customer, body.addresses)
    if created or changed:
        session.flush()
        refresh_customer(session, customer)
        if not created:
            customer.version += 1
        record_change(session, workspace_id, "customer", customer.id, "upsert")
    return Upserted("customer", external_id, customer.id, created, created or changed)


def delete_customer(session: Session, workspace_id: int, external_id: str, actor: Actor) -> None:
    """Delete a customer and everything of theirs, leaving a tombstone for each record."""
    customer = existing(session, Customer, workspace_id, external_id, "customer")
    cid = customer.id
    dependants: list[tuple[str, Any]] = [
        ("contact", Contact),
        ("portal_account", PortalAccount),
        ("job", Job),
        ("quote", Quote),
        ("invoice", Invoice),
        ("payment", Payment),
        ("service_request", ServiceRequest),
        ("document", Document),
        ("photo", Photo),
    ]
    tombstones: list[tuple[str, int]] = []
    for entity, model in dependants:
        ids = session.scalars(select(model.id).where(model.customer_id == cid))
        tombstones += [(entity, i) for i in ids]
    file_ids = [
        *session.scalars(select(Document.file_id).where(Document.customer_id == cid)),
        *session.scalars(select(Photo.file_id).where(Photo.customer_id == cid)),
    ]
    # Files are RESTRICT-referenced, so their documents and photos go first.
    session.execute(delete(Document).where(Document.customer_id == cid))
    session.execute(delete(Photo).where(Photo.customer_id == cid))
    if file_ids:
        session.execute(delete(StoredFile).where(StoredFile.id.in_(file_ids)))
    customer_deleting(session, workspace_id, cid)
    session.delete(customer)
    session.flush()
    for entity, entity_id in [*tombstones, ("customer", cid)]:
        record_change(session, workspace_id, entity, entity_id, "delete")
    record_event(
        session,
        workspace_id,
        actor,
        "customer.deleted",
        customer_id=cid,
        external_id=external_id,
        name=customer.name,
        deleted_at=utcnow().isoformat(),
    )
