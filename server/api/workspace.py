"""Staff API: the shared settings of the workspace, its branding and its visibility policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from server.api import branding, branding_preview, visibility
from server.api.etags import IfMatch, set_etag
from server.db.models import Workspace
from server.deps import DB, AppSettings, StaffContext, need, public_base_url
from server.domain import held_invites
from server.domain import workspace_settings as service
from server.domain.permissions import Permission
from server.payments import PaymentsNotConfigured, provider_for
from server.settings import Settings
from server.wire.settings import HeldInvitesOut, WorkspaceOut, WorkspacePatch

router = APIRouter()
settings_router = APIRouter(prefix="/workspace", tags=["workspace"])


@settings_router.get("", response_model=WorkspaceOut)
def get_workspace(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
    settings: AppSettings,
    request: Request,
    response: Response,
) -> WorkspaceOut:
    """Name, portal address and status, time zone, locale, currency, former addresses and
    the payment provider's status; the ETag is the workspace version."""
    set_etag(response, staff.workspace.version)
    return _out(db, staff.workspace, settings, request)


@settings_router.patch("", response_model=WorkspaceOut)
def update_workspace(
    body: WorkspacePatch,
    staff: Annotated[StaffContext, need(Permission.EDIT_WORKSPACE)],
    db: DB,
    settings: AppSettings,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> WorkspaceOut:
    """Rename, move the portal to a new address (the old one keeps redirecting), set the time
    zone, locale or currency, or open the portal to customers (needs If-Match).

    Opening it sends every invite held while it was coming soon, in batches after this answer
    (``GET /api/v1/workspace/held-invites`` counts down); each one's 7 days start when sent.
    """
    was_live = staff.workspace.portal_status == "active"
    ws = service.update_workspace(db, staff.workspace, body, if_match, staff.actor)
    sender = getattr(request.app.state, "held_invite_sender", None)
    if ws.portal_status == "active" and not was_live and sender is not None:
        # Without a sender (an app run without its lifespan) the next server start sends them.
        sender.wake(public_base_url(request))
    set_etag(response, ws.version)
    return _out(db, ws, settings, request)


@settings_router.get("/held-invites", response_model=HeldInvitesOut)
def get_held_invites(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)], db: DB
) -> HeldInvitesOut:
    """How many invites held while the portal was coming soon are still to be sent."""
    ws = staff.workspace
    return HeldInvitesOut(waiting=held_invites.waiting(db, ws.id), portal_status=ws.portal_status)


def _out(db: DB, ws: Workspace, settings: Settings, request: Request) -> WorkspaceOut:
    try:
        provider = provider_for(ws, settings)
        name, test_mode = provider.name, provider.test_mode
    except PaymentsNotConfigured:
        name, test_mode = "stripe (not configured)", False
    return service.workspace_out(
        ws,
        public_base_url(request),
        former=service.former_slugs(db, ws),
        payment=service.payment_status(db, ws, name, test_mode),
    )


router.include_router(settings_router)
router.include_router(branding.router)
router.include_router(branding_preview.router)
router.include_router(visibility.router)
