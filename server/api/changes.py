"""Staff API: the changes feed that keeps the console's local copy in sync."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from server.api.deps import DB, StaffContext, need
from server.domain.changes_feed import DEFAULT_LIMIT, MAX_LIMIT, parse_feed_cursor, read_changes
from server.domain.permissions import Permission
from server.wire.changes import ChangesPage

router = APIRouter(tags=["changes"])


@router.get("/changes", response_model=ChangesPage)
def get_changes(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
    since: Annotated[
        str, Query(max_length=40, description="next_cursor of the last page; 0 for a snapshot.")
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Every record's latest change after ``since``, in sequence order; 410 if too old."""
    body = read_changes(db, staff.workspace, parse_feed_cursor(since), limit)
    return Response(content=body, media_type="application/json")
