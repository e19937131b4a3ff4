"""Staff API: the follow-up inbox (``/api/v1/follow-ups``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from server.api.etags import IfMatch, set_etag
from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need, text_query
from server.domain import follow_up_inbox as inbox
from server.domain.follow_up import item_out
from server.domain.follow_up_work import patch_item
from server.domain.permissions import Permission
from server.wire.errors import DESCRIPTIONS
from server.wire.follow_up import (
    FollowUpClash,
    FollowUpCounts,
    FollowUpOut,
    FollowUpPage,
    FollowUpPatch,
    FollowUpState,
)
from server.wire.follow_up_kinds import FollowUpKind

router = APIRouter(prefix="/follow-ups", tags=["follow-up"])

Reader = Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)]
Handler = Annotated[StaffContext, need(Permission.HANDLE_FOLLOW_UP)]


@router.get("", response_model=FollowUpPage)
def list_follow_ups(
    staff: Reader,
    db: DB,
    kind: Annotated[list[FollowUpKind] | None, Query(description="Any of these kinds.")] = None,
    state: FollowUpState | None = None,
    assignee: Annotated[
        str | None, text_query(20, "A staff member's id, 'me', or 'none' for nobody's.")
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="Happened at or after.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Happened before.")] = None,
    q: Annotated[
        str | None,
        text_query(
            200,
            "Words in the title or the names (each anywhere). Words of one or two letters "
            "only narrow a search that has a longer word.",
        ),
    ] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> FollowUpPage:
    """The inbox, newest first, filtered; ``count`` is how many items match in all."""
    f = inbox.InboxFilter(
        kinds=tuple(kind or ()),
        state=state,
        assignee=assignee,
        since=since,
        until=until,
        q=q,
        customer_id=customer_id,
    )
    return inbox.list_items(db, staff.workspace_id, staff.user.id, f, limit, cursor)


@router.get("/counts", response_model=FollowUpCounts)
def follow_up_counts(staff: Reader, db: DB) -> FollowUpCounts:
    """Open items per kind, in all, assigned to the caller, and held by nobody."""
    return inbox.counts(db, staff.workspace_id, staff.user.id)


@router.get("/{item_id:int}", response_model=FollowUpOut)
def get_follow_up(item_id: RowIdPath, staff: Reader, db: DB, response: Response) -> FollowUpOut:
    """One item; the ETag is its version."""
    item = inbox.get_item(db, staff.workspace_id, item_id)
    set_etag(response, item.version)
    return item_out(item)


@router.patch(
    "/{item_id:int}",
    response_model=FollowUpOut,
    responses={
        409: {"model": FollowUpClash, "description": DESCRIPTIONS[409]},
        412: {"model": FollowUpClash, "description": DESCRIPTIONS[412]},
    },
)
def patch_follow_up(
    item_id: RowIdPath,
    body: FollowUpPatch,
    staff: Handler,
    db: DB,
    response: Response,
    if_match: IfMatch = None,
) -> FollowUpOut:
    """Assign (or take) the item, mark it done with a note, or reopen it (needs If-Match).

    A stale If-Match answers 412, and taking an item someone else holds 409 naming who;
    both bodies carry ``current``, the item as it now is.
    """
    item = patch_item(db, staff.workspace, staff.user, staff.actor, item_id, if_match, body)
    db.commit()
    set_etag(response, item.version)
    return item_out(item)
