"""The change log behind ``GET /api/v1/changes``: record a change in the writer's transaction."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.db.models import Change, Workspace

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
)


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
    """
    session.execute(
        select(Workspace.id).where(Workspace.id == workspace_id).with_for_update(key_share=True)
    )
    session.execute(
        delete(Change).where(
            Change.workspace_id == workspace_id,
            Change.entity == entity,
            Change.entity_id == entity_id,
        )
    )
    session.add(Change(workspace_id=workspace_id, entity=entity, entity_id=entity_id, op=op))
