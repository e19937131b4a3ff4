"""Staff API: the visibility policy, published and draft (``/api/v1/visibility-policy``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from server.api.etags import IfMatch, set_etag
from server.deps import DB, StaffContext, need
from server.domain import exposure
from server.domain import visibility as service
from server.domain.permissions import Permission
from server.wire.visibility import VisibilityDoc, VisibilityPolicy
from server.wire.visibility_exposure import ExposureReport, ExposureRequest

router = APIRouter(prefix="/visibility-policy", tags=["visibility"])

Viewer = Annotated[StaffContext, need(Permission.PREVIEW)]
Editor = Annotated[StaffContext, need(Permission.EDIT_VISIBILITY)]


@router.get("", response_model=VisibilityDoc)
def get_policy(staff: Viewer, response: Response) -> VisibilityDoc:
    """The published policy and the draft, if any; the ETag is the policy version."""
    set_etag(response, staff.workspace.visibility_version)
    return service.visibility_doc(staff.workspace)


@router.put("/draft", response_model=VisibilityDoc)
def save_draft(
    body: VisibilityPolicy, staff: Editor, db: DB, response: Response, if_match: IfMatch = None
) -> VisibilityDoc:
    """Replace the draft; entries left out take their defaults, unknown names are refused."""
    doc = service.save_draft(db, staff.workspace, body, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.post("/publish", response_model=VisibilityDoc)
def publish(staff: Editor, db: DB, response: Response, if_match: IfMatch = None) -> VisibilityDoc:
    """Make the draft the policy customers are held to."""
    doc = service.publish_draft(db, staff.workspace, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.delete("/draft", response_model=VisibilityDoc)
def discard(staff: Editor, db: DB, response: Response, if_match: IfMatch = None) -> VisibilityDoc:
    """Throw the draft away."""
    doc = service.discard_draft(db, staff.workspace, if_match, staff.actor)
    set_etag(response, doc.version)
    return doc


@router.post("/exposure", response_model=ExposureReport)
def check_exposure(body: ExposureRequest, staff: Viewer, db: DB) -> ExposureReport:
    """What publishing would change for customers: the saved draft, or ``policy`` when given
    (unsaved edits). Reads only; the answer names the policy version it was checked against."""
    return exposure.exposure(db, staff.workspace, body.policy)
