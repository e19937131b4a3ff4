"""Staff API: branding, published and draft, and its logo (``/api/v1/branding``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, UploadFile

from server.api.downloads import file_response
from server.api.etags import IfMatch, set_etag
from server.deps import DB, AppSettings, RowIdPath, StaffContext, need
from server.domain import branding as service
from server.domain.permissions import Permission
from server.wire.branding import Branding, BrandingDoc

router = APIRouter(prefix="/branding", tags=["branding"])

Viewer = Annotated[StaffContext, need(Permission.PREVIEW)]
Editor = Annotated[StaffContext, need(Permission.EDIT_BRANDING)]


@router.get("", response_model=BrandingDoc)
def get_branding(staff: Viewer, response: Response) -> BrandingDoc:
    """The published branding and the draft, if any; the ETag is the branding version."""
    set_etag(response, staff.workspace.branding_version)
    return service.branding_doc(staff.workspace)


@router.put("/draft", response_model=BrandingDoc)
def save_draft(
    body: Branding, staff: Editor, db: DB, response: Response, if_match: IfMatch = None
) -> BrandingDoc:
    """Replace the draft with a complete branding."""
    doc = service.save_draft(db, staff.workspace, body, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.post("/publish", response_model=BrandingDoc)
def publish(staff: Editor, db: DB, response: Response, if_match: IfMatch = None) -> BrandingDoc:
    """Make the draft what customers see."""
    doc = service.publish_draft(db, staff.workspace, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.delete("/draft", response_model=BrandingDoc)
def discard(staff: Editor, db: DB, response: Response, if_match: IfMatch = None) -> BrandingDoc:
    """Throw the draft away."""
    doc = service.discard_draft(db, staff.workspace, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.post("/logo", response_model=BrandingDoc)
def upload_logo(
    file: UploadFile,
    staff: Editor,
    db: DB,
    settings: AppSettings,
    response: Response,
    if_match: IfMatch = None,
) -> BrandingDoc:
    """Upload a PNG, JPEG or WebP logo (re-encoded; SVG is refused) into the draft."""
    # One byte over the limit is enough to know it is too big without reading it all.
    data = file.file.read(settings.max_upload_bytes + 1)
    doc = service.upload_logo(
        db,
        staff.workspace,
        data,
        if_match,
        staff.actor,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    set_etag(response, doc.version)
    return doc


@router.get("/logo/{file_id}", response_class=Response)
def get_logo(file_id: RowIdPath, staff: Viewer, db: DB) -> Response:
    """A logo of the published branding or the draft, for staff to look at."""
    stored = service.logo_file(db, staff.workspace, file_id)
    return file_response(stored, f"logo-{stored.id}", inline=True)
