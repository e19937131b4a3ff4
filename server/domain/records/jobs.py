"""Jobs pushed by the CRM."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Address, Document, Invoice, Job, Photo, Quote
from server.domain.changes import record_change
from server.domain.errors import Invalid
from server.domain.records.customers import Upserted
from server.domain.records.lookup import assign, by_external_id, existing, referenced_customer_id
from server.wire.records import JobIn


def upsert_job(session: Session, workspace_id: int, external_id: str, body: JobIn) -> Upserted:
    """Create or update a job of the customer named by ``customer_external_id``."""
    customer_id = referenced_customer_id(session, workspace_id, body.customer_external_id)
    address_id: int | None = None
    if body.address_index is not None:
        ids = list(
            session.scalars(
                select(Address.id).where(Address.customer_id == customer_id).order_by(Address.id)
            )
        )
        if body.address_index >= len(ids):
            msg = (
                f"The customer has {len(ids)} address(es); "
                f"there is no address {body.address_index}."
            )
            raise Invalid(msg, errors={"address_index": msg})
        address_id = ids[body.address_index]
    if body.scheduled_start and body.scheduled_end and body.scheduled_end < body.scheduled_start:
        msg = "The scheduled end is before the start."
        raise Invalid(msg, errors={"scheduled_end": msg})
    job = by_external_id(session, Job, workspace_id, external_id, lock=True)
    created = job is None
    if job is None:
        job = Job(
            workspace_id=workspace_id,
            customer_id=customer_id,
            external_id=external_id,
            number=body.number,
            title=body.title,
            internal_status=body.internal_status,
            source="crm",
        )
        session.add(job)
    changed = assign(
        job,
        {
            "customer_id": customer_id,
            "number": body.number,
            "title": body.title,
            "description": body.description or None,
            "internal_status": body.internal_status,
            "address_id": address_id,
            "technician_name": body.technician_name or None,
            "internal_notes": body.internal_notes or None,
            "scheduled_start": body.scheduled_start,
            "scheduled_end": body.scheduled_end,
            "completed_at": body.completed_at,
        },
    )
    if not (created or changed):
        return Upserted("job", external_id, job.id, False, False)
    job.updated_at = utcnow()
    session.flush()
    record_change(session, workspace_id, "job", job.id, "upsert")
    return Upserted("job", external_id, job.id, created, True)


def delete_job(session: Session, workspace_id: int, external_id: str) -> None:
    """Delete a job; quotes, invoices and files that pointed at it stay, unlinked."""
    job = existing(session, Job, workspace_id, external_id, "job")
    linked: list[tuple[str, int]] = []
    for entity, model in (
        ("quote", Quote),
        ("invoice", Invoice),
        ("document", Document),
        ("photo", Photo),
    ):
        ids = session.scalars(select(model.id).where(model.job_id == job.id))
        linked += [(entity, i) for i in ids]
    session.delete(job)
    session.flush()
    record_change(session, workspace_id, "job", job.id, "delete")
    for entity, entity_id in linked:
        record_change(session, workspace_id, entity, entity_id, "upsert")
