"""Shared helpers of the records services: look-ups by external id and change-aware assignment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import Base
from server.db.models import Customer, Job
from server.domain.errors import Invalid, NotFound


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed (no write otherwise)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def by_external_id[M: Base](
    session: Session,
    model: type[M],
    workspace_id: int,
    external_id: str,
    *,
    lock: bool = False,
    keep: bool = False,
) -> M | None:
    """The workspace's record with this external id, or None.

    ``lock`` locks it for a change or delete; ``keep`` only stops it from being deleted (or its
    key changed) until the transaction ends, as a record pointing at it needs on PostgreSQL:
    otherwise a delete committed between this look-up and the insert breaks the foreign key.
    """
    query = select(model).where(
        model.workspace_id == workspace_id,  # type: ignore[attr-defined]
        model.external_id == external_id,  # type: ignore[attr-defined]
    )
    if lock:
        query = query.with_for_update()
    elif keep:
        query = query.with_for_update(key_share=True)
    return session.scalar(query)


def existing[M: Base](
    session: Session, model: type[M], workspace_id: int, external_id: str, label: str
) -> M:
    """The record to delete or read; 404 (the same for another workspace's) when absent."""
    found = by_external_id(session, model, workspace_id, external_id, lock=True)
    if found is None:
        # The same words for every id, so a 404 says nothing about which ids exist elsewhere.
        raise NotFound(f"No {label} with that external id in this workspace.")
    return found


def referenced_customer(
    session: Session, workspace_id: int, external_id: str, field: str = "customer_external_id"
) -> Customer:
    """The customer a record points at; 422 naming the field when the CRM has not sent it yet."""
    customer = by_external_id(session, Customer, workspace_id, external_id, keep=True)
    if customer is None:
        msg = f"No customer with external id '{external_id}'. Send the customer first."
        raise Invalid(msg, errors={field: msg})
    return customer


def referenced_job(
    session: Session, workspace_id: int, customer: Customer, external_id: str | None
) -> int | None:
    """The id of the job a quote, invoice or file belongs to (None when not given)."""
    if external_id is None:
        return None
    job = by_external_id(session, Job, workspace_id, external_id, keep=True)
    if job is None or job.customer_id != customer.id:
        msg = f"No job with external id '{external_id}' for this customer."
        raise Invalid(msg, errors={"job_external_id": msg})
    return job.id
