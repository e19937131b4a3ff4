"""Staff API: the audit trail.

- ``GET /api/v1/audit``: the workspace's events, newest first (``action``, ``limit``, ``cursor``).
- ``GET /api/v1/customers/{id}/audit``: one customer's events.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need, text_query
from server.domain import audit_trail as service
from server.domain.customers import customer_in_workspace
from server.domain.permissions import Permission
from server.wire.access import AuditEventOut
from server.wire.base import Page

router = APIRouter(tags=["audit"])

Action = Annotated[
    str | None,
    text_query(60, "An action, or a prefix ending in '.' such as 'portal.'."),
]
Limit = Annotated[int, Query(ge=1, le=service.MAX_LIMIT)]
Cursor = CursorQuery


@router.get("/audit", response_model=Page[AuditEventOut])
def workspace_audit(
    staff: Annotated[StaffContext, need(Permission.VIEW_AUDIT)],
    db: DB,
    action: Action = None,
    limit: Limit = service.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AuditEventOut]:
    """Who did what in this workspace, newest first."""
    return service.list_events(db, staff.workspace_id, action=action, limit=limit, cursor=cursor)


@router.get("/customers/{customer_id}/audit", response_model=Page[AuditEventOut])
def customer_audit(
    customer_id: RowIdPath,
    staff: Annotated[StaffContext, need(Permission.VIEW_AUDIT)],
    db: DB,
    action: Action = None,
    limit: Limit = service.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AuditEventOut]:
    """Who did what to one customer and its contacts, newest first."""
    customer_in_workspace(db, staff.workspace_id, customer_id)
    return service.list_events(
        db, staff.workspace_id, customer_id=customer_id, action=action, limit=limit, cursor=cursor
    )
