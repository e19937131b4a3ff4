"""Staff API: the Branding panel's previews of an unsaved branding and its test emails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from server.deps import DB, StaffContext, need, public_base_url
from server.domain import branding_samples as samples
from server.domain.permissions import Permission
from server.portal.branding_preview import render_page
from server.wire.branding import BrandingPreviewRequest, EmailPreview, EmailPreviewRequest

router = APIRouter(prefix="/branding", tags=["branding"])

Viewer = Annotated[StaffContext, need(Permission.PREVIEW)]
Editor = Annotated[StaffContext, need(Permission.EDIT_BRANDING)]


def _portal_url(request: Request, staff: StaffContext) -> str:
    return f"{public_base_url(request)}/p/{staff.workspace.slug}"


@router.post("/preview", response_class=HTMLResponse)
def preview_page(body: BrandingPreviewRequest, staff: Viewer) -> HTMLResponse:
    """A portal page (sign-in or coming-soon) rendered with this branding, as HTML."""
    samples.check_logo(staff.workspace, body.branding)
    html = render_page(staff.workspace, body.branding, body.page)
    return HTMLResponse(html, headers={"cache-control": "no-store"})


@router.post("/emails/preview", response_model=EmailPreview)
def preview_email(body: EmailPreviewRequest, staff: Viewer, request: Request) -> EmailPreview:
    """The invite, reset or receipt email exactly as it would be sent with this branding."""
    url = _portal_url(request, staff)
    return samples.preview(staff.workspace, body.branding, body.kind, url)


@router.post("/emails/test", response_model=EmailPreview, status_code=202)
def send_test_email(
    body: EmailPreviewRequest, staff: Editor, db: DB, request: Request
) -> EmailPreview:
    """Send that email to the signed-in staff member through the outbox."""
    return samples.send_test(
        db,
        staff.workspace,
        body.branding,
        body.kind,
        _portal_url(request, staff),
        staff.user.email,
        staff.actor,
    )
