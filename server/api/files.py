"""Staff API: documents and photos reviewed before customers may see them (``/api/v1/files``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from server.api.downloads import file_response
from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need
from server.domain import file_review as service
from server.domain.permissions import Permission
from server.wire.base import MAX_ID, Page
from server.wire.errors import errors
from server.wire.files import (
    BulkFileReview,
    BulkFileReviewResult,
    FileKind,
    FileOut,
    FileReview,
    ReviewStatus,
)

router = APIRouter(prefix="/files", tags=["files"])

Reviewer = Annotated[StaffContext, need(Permission.REVIEW_FILES)]


@router.get("", response_model=Page[FileOut])
def list_files(
    staff: Reviewer,
    db: DB,
    status: ReviewStatus = "pending",
    kind: FileKind | None = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: CursorQuery = None,
) -> Page[FileOut]:
    """Documents and photos with one review status, oldest first."""
    return service.list_files(
        db,
        staff.workspace,
        status,
        kind=kind,
        customer_id=customer_id,
        limit=limit,
        cursor=cursor,
    )


@router.get("/{kind}/{file_id}", response_model=FileOut)
def get_file(kind: FileKind, file_id: RowIdPath, staff: Reviewer, db: DB) -> FileOut:
    """One document or photo and its review state."""
    return service.file_out(db, staff.workspace, kind, file_id)


@router.get("/{kind}/{file_id}/content", response_class=Response)
def file_content(kind: FileKind, file_id: RowIdPath, staff: Reviewer, db: DB) -> Response:
    """Download the file to look at it (always as an attachment)."""
    stored, filename = service.file_content(db, staff.workspace, kind, file_id)
    return file_response(stored, filename)


@router.post("/{kind}/{file_id}/review", response_model=FileOut)
def review_file(
    kind: FileKind, file_id: RowIdPath, body: FileReview, staff: Reviewer, db: DB
) -> FileOut:
    """Share the file with the customer, or keep it from them."""
    return service.review(
        db, staff.workspace, kind, file_id, body.decision, staff.actor, body.caption
    )


@router.post("/review", response_model=BulkFileReviewResult, responses=errors(404))
def review_files(body: BulkFileReview, staff: Reviewer, db: DB) -> BulkFileReviewResult:
    """Share, or keep internal, several files at once (all or none)."""
    files: list[tuple[str, int]] = [(f.kind, f.id) for f in body.files]
    return BulkFileReviewResult(
        data=service.review_many(db, staff.workspace, files, body.decision, staff.actor)
    )
