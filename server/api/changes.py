"""Staff API: the changes feed that keeps the console's local copy in sync."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from server.deps import DB, StaffContext, need
from server.domain.changes_feed import DEFAULT_LIMIT, MAX_LIMIT, parse_feed_cursor, read_changes
from server.domain.permissions import Permission
from server.wire.changes import ChangesPage

router = APIRouter(tags=["changes"])

NEXT_CURSOR_HEADER = "X-Next-Cursor"
HAS_MORE_HEADER = "X-Has-More"


@router.get(
    "/changes",
    response_model=ChangesPage,
    responses={
        200: {
            "headers": {
                NEXT_CURSOR_HEADER: {
                    "description": "The body's next_cursor.",
                    "schema": {"type": "string"},
                },
                HAS_MORE_HEADER: {
                    "description": "The body's has_more: true or false.",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
            }
        }
    },
)
def get_changes(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
    since: Annotated[
        str, Query(max_length=40, description="next_cursor of the last page; 0 for a snapshot.")
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Every record's latest change after ``since``, in sequence order; 410 if too old.

    ``X-Next-Cursor`` and ``X-Has-More`` repeat the body's ``next_cursor`` and ``has_more``,
    so a client can ask for the next page before it has decoded this one.
    """
    page = read_changes(db, staff.workspace, parse_feed_cursor(since), limit)
    headers = {NEXT_CURSOR_HEADER: page.next_cursor, HAS_MORE_HEADER: str(page.has_more).lower()}
    return Response(content=page.body, media_type="application/json", headers=headers)
