"""Staff API: the office team and its permissions (``/api/v1/team``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from server.api.etags import IfMatch, set_etag
from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need, public_base_url
from server.domain import staff_invites
from server.domain import team as service
from server.domain.permissions import Permission
from server.wire.base import Page
from server.wire.errors import errors
from server.wire.team import (
    TeamInvite,
    TeamMember,
    TeamMemberCreate,
    TeamMemberPatch,
    TeamPermissions,
    TeamPermissionsUpdate,
)

router = APIRouter(prefix="/team", tags=["team"])

Manager = Annotated[StaffContext, need(Permission.MANAGE_TEAM)]
# Bounded so an absurd id is a 422, not a database overflow.


@router.get("", response_model=Page[TeamMember])
def list_team(
    staff: Manager,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: CursorQuery = None,
) -> Page[TeamMember]:
    """Every staff member of the workspace with their role."""
    return service.list_members(db, staff.workspace, limit, cursor)


@router.post("", response_model=TeamInvite, status_code=status.HTTP_201_CREATED)
def add_member(body: TeamMemberCreate, staff: Manager, db: DB, request: Request) -> TeamInvite:
    """Invite a staff member by email; they choose their own password from the link.

    The link is answered here once (to hand over in person if the email does not arrive)."""
    issued = service.add_member(db, staff.workspace, body, staff.actor, public_base_url(request))
    return _invite_out(db, issued)


@router.post("/{member_id}/invite", response_model=TeamInvite)
def resend_invite(member_id: RowIdPath, staff: Manager, db: DB, request: Request) -> TeamInvite:
    """A new link for a member who has not joined yet; older links stop working."""
    user = service.get_member(db, staff.workspace, member_id)
    issued = staff_invites.resend(db, staff.workspace, user, staff.actor, public_base_url(request))
    return _invite_out(db, issued)


def _invite_out(db: DB, issued: staff_invites.IssuedStaffInvite) -> TeamInvite:
    member = service.members_out(db, [issued.user])[0]
    return TeamInvite(member=member, invite_url=issued.url, expires_at=issued.expires_at)


@router.get("/permissions", response_model=TeamPermissions)
def get_permissions(staff: Manager, response: Response) -> TeamPermissions:
    """What each role may do; the ETag is the permissions version."""
    set_etag(response, staff.workspace.permissions_version)
    return service.permissions_doc(staff.workspace)


@router.put("/permissions", response_model=TeamPermissions)
def set_permissions(
    body: TeamPermissionsUpdate,
    staff: Manager,
    db: DB,
    response: Response,
    if_match: IfMatch = None,
) -> TeamPermissions:
    """Replace the permission lists of the roles given; owners keep team and workspace."""
    doc = service.set_permissions(db, staff.workspace, body, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.patch("/{member_id:int}", response_model=TeamMember, responses=errors(409))
def update_member(
    member_id: RowIdPath, body: TeamMemberPatch, staff: Manager, db: DB
) -> TeamMember:
    """Rename, change the role of, or switch off a member."""
    user = service.update_member(db, staff.workspace, member_id, body, staff.actor)
    return service.members_out(db, [user])[0]
