"""Staff API: the shared settings of the workspace, its branding and its visibility policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from server.api import branding, visibility
from server.api.etags import IfMatch, set_etag
from server.deps import DB, StaffContext, need, public_base_url
from server.domain import workspace_settings as service
from server.domain.permissions import Permission
from server.wire.settings import WorkspaceOut, WorkspacePatch

router = APIRouter()
settings_router = APIRouter(prefix="/workspace", tags=["workspace"])


@settings_router.get("", response_model=WorkspaceOut)
def get_workspace(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    request: Request,
    response: Response,
) -> WorkspaceOut:
    """Name, portal address and status; the ETag is the workspace version."""
    set_etag(response, staff.workspace.version)
    return service.workspace_out(staff.workspace, public_base_url(request))


@settings_router.patch("", response_model=WorkspaceOut)
def update_workspace(
    body: WorkspacePatch,
    staff: Annotated[StaffContext, need(Permission.EDIT_WORKSPACE)],
    db: DB,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> WorkspaceOut:
    """Rename, move the portal to a new address, or open it to customers (needs If-Match).

    Opening it sends every invite held while it was coming soon; each one's 7 days start then.
    """
    ws = service.update_workspace(
        db, staff.workspace, body, if_match, staff.actor, public_base_url(request)
    )
    set_etag(response, ws.version)
    return service.workspace_out(ws, public_base_url(request))


router.include_router(settings_router)
router.include_router(branding.router)
router.include_router(visibility.router)
