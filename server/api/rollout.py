"""Staff API: getting ready to go live (``/api/v1/rollout``): the readiness checklist, pilot
groups invited in batches, and the adoption funnel. Going live itself is the workspace's
``portal_status`` (``PATCH /api/v1/workspace``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from server.db.base import utcnow
from server.deps import DB, AppSettings, StaffContext, need, public_base_url
from server.domain import adoption, pilot, readiness
from server.domain.permissions import Permission
from server.wire.errors import errors
from server.wire.rollout import (
    Adoption,
    CustomerGroupOut,
    GroupCreate,
    InviteBatch,
    InviteBatchResult,
    PilotMatch,
    PilotRule,
    Readiness,
)

router = APIRouter(prefix="/rollout", tags=["rollout"])

Viewer = Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)]
Inviter = Annotated[StaffContext, need(Permission.BULK_INVITE)]
GroupId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/readiness", response_model=Readiness)
def get_readiness(staff: Viewer, db: DB, settings: AppSettings) -> Readiness:
    """Each checklist item with its state, numbers and the panel that fixes it."""
    return readiness.readiness(db, staff.workspace, settings)


@router.post("/pilot-match", response_model=PilotMatch)
def pilot_match(rule: PilotRule, staff: Inviter, db: DB) -> PilotMatch:
    """How many customers a rule takes now (nothing is saved); ``problem`` when it takes
    nobody or everybody."""
    return pilot.match(db, staff.workspace, rule)


@router.get("/groups", response_model=list[CustomerGroupOut])
def list_groups(staff: Viewer, db: DB) -> list[CustomerGroupOut]:
    """Saved pilot groups, newest first, each with its funnel."""
    return pilot.list_groups(db, staff.workspace)


@router.post("/groups", response_model=CustomerGroupOut, status_code=status.HTTP_201_CREATED)
def create_group(body: GroupCreate, staff: Inviter, db: DB) -> CustomerGroupOut:
    """Save the customers the rule matches now as a named group (422 when it takes nobody
    or everybody, 409 when the name is taken)."""
    group_id = pilot.create_group(db, staff.workspace, body, staff.actor)
    return pilot.get_group(db, staff.workspace, group_id)


@router.post("/groups/{group_id}/invite-batch", response_model=InviteBatchResult)
def invite_batch(
    group_id: GroupId, body: InviteBatch, staff: Inviter, db: DB, request: Request
) -> InviteBatchResult:
    """Invite the next members of a group (their primary contacts), by the usual invite
    rules; 409 when everyone in it was sent an invite already."""
    return pilot.invite_batch(
        db, staff.workspace, group_id, body.size, staff.actor, public_base_url(request)
    )


@router.get("/adoption", response_model=Adoption, responses=errors(404))
def get_adoption(
    staff: Viewer,
    db: DB,
    group_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Adoption:
    """The funnel and weekly adoption for everyone, or for one saved group."""
    if group_id is not None:
        # 404 for another workspace's group; only the group row: its funnel is counted
        # once, below (the whole group answer counted it a first time, then dropped it).
        pilot.find_group(db, staff.workspace, group_id)
    return Adoption(
        group_id=group_id,
        funnel=adoption.funnel(db, staff.workspace_id, group_id),
        weeks=adoption.weeks(db, staff.workspace_id, group_id, utcnow()),
    )
