"""Shared helpers of the records services: look-ups by external id and change-aware assignment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from server.db.base import Base
from server.db.engine import statement_connection
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


# The look-up statement of each model and lock, built on first use (the values are bound).
_LOOKUPS: dict[tuple[type[Base], bool, bool], Select[Any]] = {}


def _lookup(model: type[Base], lock: bool, keep: bool) -> Select[Any]:
    key = (model, lock, keep)
    query = _LOOKUPS.get(key)
    if query is None:
        query = select(model).where(
            model.workspace_id == bindparam("ws"),  # type: ignore[attr-defined]
            model.external_id == bindparam("xid"),  # type: ignore[attr-defined]
        )
        if lock:
            query = query.with_for_update()
        elif keep:
            query = query.with_for_update(key_share=True)
        _LOOKUPS[key] = query
    return query


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
    found: M | None = session.scalar(
        _lookup(model, lock, keep), {"ws": workspace_id, "xid": external_id}
    )
    return found


def existing[M: Base](
    session: Session, model: type[M], workspace_id: int, external_id: str, label: str
) -> M:
    """The record to delete or read; 404 (the same for another workspace's) when absent."""
    found = by_external_id(session, model, workspace_id, external_id, lock=True)
    if found is None:
        # The same words for every id, so a 404 says nothing about which ids exist elsewhere.
        raise NotFound(f"No {label} with that external id in this workspace.")
    return found


# The id of a record another points at, kept as ``by_external_id``'s ``keep`` does. Core
# statements on the session's connection: the records that point need no more than the id.
_CUSTOMER_ID = (
    select(Customer.id)
    .where(Customer.workspace_id == bindparam("ws"), Customer.external_id == bindparam("xid"))
    .with_for_update(key_share=True)
)
_JOB_AND_CUSTOMER = (
    select(Job.id, Job.customer_id)
    .where(Job.workspace_id == bindparam("ws"), Job.external_id == bindparam("xid"))
    .with_for_update(key_share=True)
)


def _no_customer(external_id: str, field: str) -> Invalid:
    msg = f"No customer with external id '{external_id}'. Send the customer first."
    return Invalid(msg, errors={field: msg})


def referenced_customer(
    session: Session, workspace_id: int, external_id: str, field: str = "customer_external_id"
) -> Customer:
    """The customer a record points at; 422 naming the field when the CRM has not sent it yet."""
    customer = by_external_id(session, Customer, workspace_id, external_id, keep=True)
    if customer is None:
        raise _no_customer(external_id, field)
    return customer


def referenced_customer_id(
    session: Session, workspace_id: int, external_id: str, field: str = "customer_external_id"
) -> int:
    """``referenced_customer``'s id, for a record that needs no more of the customer."""
    params = {"ws": workspace_id, "xid": external_id}
    found: int | None = statement_connection(session).execute(_CUSTOMER_ID, params).scalar()
    if found is None:
        raise _no_customer(external_id, field)
    return found


def referenced_job(
    session: Session, workspace_id: int, customer_id: int, external_id: str | None
) -> int | None:
    """The id of the job a quote, invoice or file belongs to (None when not given)."""
    if external_id is None:
        return None
    params = {"ws": workspace_id, "xid": external_id}
    job = statement_connection(session).execute(_JOB_AND_CUSTOMER, params).one_or_none()
    if job is None or job.customer_id != customer_id:
        msg = f"No job with external id '{external_id}' for this customer."
        raise Invalid(msg, errors={"job_external_id": msg})
    job_id: int = job.id
    return job_id
