"""Staff sign-in and sign-out: ``/api/v1/auth``."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from server.deps import DB, AppSettings, Staff
from server.domain import staff as staff_service
from server.domain import workspaces
from server.wire.auth import Me, TokenRequest, TokenResponse
from server.wire.errors import errors

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse, responses=errors(401, 429))
def issue_token(
    body: TokenRequest, request: Request, db: DB, settings: AppSettings
) -> TokenResponse:
    """Exchange a staff email and password for an opaque bearer token (failures throttled
    per email and per address: 429)."""
    ip = request.client.host if request.client else None
    issued = staff_service.sign_in(db, body.email, body.password, settings.staff_token_hours, ip=ip)
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.delete("/token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(staff: Staff, db: DB) -> None:
    """Sign out: the token stops working at once."""
    staff_service.sign_out(db, staff.token_id)


@router.get("/me", response_model=Me)
def me(staff: Staff) -> Me:
    """Who is signed in, in which workspace, with which permissions."""
    return Me(
        id=staff.user.id,
        email=staff.user.email,
        name=staff.user.name,
        role=staff.user.role,
        permissions=sorted(p.value for p in staff.permissions),
        workspace_id=staff.workspace.id,
        workspace_slug=staff.workspace.slug,
        workspace_name=staff.workspace.name,
        portal_status=staff.workspace.portal_status,
        workspace_key=workspaces.workspace_key(staff.workspace),
    )
