"""Staff API: previews of the portal as one contact sees it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from server.deps import DB, StaffContext, need, public_base_url
from server.domain import previews
from server.domain.permissions import Permission
from server.wire.errors import errors
from server.wire.previews import PreviewRequest, PreviewResponse

router = APIRouter(tags=["previews"])


@router.post("/previews", response_model=PreviewResponse, status_code=201, responses=errors(404))
def create_preview(
    body: PreviewRequest,
    request: Request,
    staff: Annotated[StaffContext, need(Permission.PREVIEW)],
    db: DB,
) -> PreviewResponse:
    """A short-lived link that renders the portal as this contact (read-only, audited)."""
    link = previews.create_preview(
        db,
        staff.workspace,
        staff.actor,
        body.contact_id,
        use_draft_visibility=body.use_draft_visibility,
        use_draft_branding=body.use_draft_branding,
        show_coming_soon=body.show_coming_soon,
    )
    base = public_base_url(request)
    return PreviewResponse(url=f"{base}{link.path}", expires_at=link.expires_at)
