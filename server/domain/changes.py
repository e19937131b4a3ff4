"""The change log behind ``GET /api/v1/changes``: record a change in the writer's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.util import identity_key

from server.db.engine import statement_connection
from server.db.models import (
    Change,
    Contact,
    Document,
    FollowUp,
    Invoice,
    Job,
    Payment,
    Photo,
    PortalAccount,
    Quote,
    ServiceRequest,
    Workspace,
)

ENTITIES = (
    "customer",
    "contact",
    "portal_account",
    "job",
    "quote",
    "invoice",
    "payment",
    "service_request",
    "document",
    "photo",
    "workspace",
    "branding",
    "visibility",
    "team",
    "follow_up",
)

# Entities that belong to one customer (their ``customer_id``), by model. A customer's own
# change names itself; the workspace's entities name nobody (every customer's pages show them).
OWNED_BY_CUSTOMER: dict[str, Any] = {
    "contact": Contact,
    "portal_account": PortalAccount,
    "job": Job,
    "quote": Quote,
    "invoice": Invoice,
    "payment": Payment,
    "service_request": ServiceRequest,
    "document": Document,
    "photo": Photo,
    # Staff-only, but its change names the customer it is about, so that only that
    # customer's kept portal pages go stale (as they do anyway, through the cause's change).
    "follow_up": FollowUp,
}


# The statements of every write, built once; they run on the session's connection (Core).
_LOCK_WORKSPACE = (
    select(Workspace.id).where(Workspace.id == bindparam("ws")).with_for_update(key_share=True)
)
_TAKE_CHANGE = (
    delete(Change)
    .where(
        Change.workspace_id == bindparam("ws"),
        Change.entity == bindparam("entity"),
        Change.entity_id == bindparam("entity_id"),
    )
    .returning(Change.customer_id)
)
_ADD_CHANGE = insert(Change)


def record_change(
    session: Session, workspace_id: int, entity: str, entity_id: int, op: str
) -> None:
    """Give one record a new sequence number (``op`` is ``upsert`` or ``delete``).

    The workspace row is locked first so that sequence numbers are handed out in commit order
    on PostgreSQL: a reader can never see seq N+1 committed while N is still in flight. The
    lock is FOR NO KEY UPDATE: writers of changes still queue behind each other, but not behind
    a transaction that merely inserted a row referencing the workspace (its foreign-key check
    holds a KEY SHARE lock on the workspace row until it commits). With FOR UPDATE, a payment
    webhook that had stored its event and a return page that had claimed the checkout could
    each wait for the other: a deadlock, seen when both arrived at once.

    The change names the customer whose portal pages show the record (``customer_of``), so a
    customer's kept pages go stale on their own changes only. A record that moved to another
    customer also records a change of the customer it left, whose pages showed it.

    Every write of the server calls this, so its statements are Core ones on the session's
    connection (the session's pending rows are flushed first, before the lock, as an ORM
    statement would); no ``Change`` object enters the session.
    """
    conn = statement_connection(session, writes=True)
    conn.execute(_LOCK_WORKSPACE, {"ws": workspace_id})
    left = conn.execute(
        _TAKE_CHANGE, {"ws": workspace_id, "entity": entity, "entity_id": entity_id}
    ).scalar()
    customer_id = customer_of(session, entity, entity_id, left)
    conn.execute(
        _ADD_CHANGE,
        {
            "workspace_id": workspace_id,
            "entity": entity,
            "entity_id": entity_id,
            "op": op,
            "customer_id": customer_id,
        },
    )
    if left is not None and left != customer_id:
        record_change(session, workspace_id, "customer", left, "upsert")


def customer_of(session: Session, entity: str, entity_id: int, before: int | None) -> int | None:
    """The customer whose pages show a record: its ``customer_id`` as this transaction has it
    (``before``, from its previous change, once the record is gone), or None for the
    workspace's own entities."""
    if entity == "customer":
        return entity_id
    model = OWNED_BY_CUSTOMER.get(entity)
    if model is None:
        return None
    kept = session.identity_map.get(identity_key(model, entity_id))
    if kept is not None and object_session(kept) is session and kept not in session.deleted:
        value: int | None = kept.customer_id
        return value
    found = session.scalar(select(model.customer_id).where(model.id == entity_id))
    return found if found is not None else before
