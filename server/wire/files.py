"""Documents and photos as staff review them before customers may see them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from server.wire.base import Request, Response

FileKind = Literal["document", "photo"]
ReviewStatus = Literal["pending", "shareable", "rejected"]


class FileOut(Response):
    """One document or photo in the review list.

    ``title`` is a document's title or a photo's caption; ``filename`` is the name a download
    gets (a photo's is made up from its id).
    """

    kind: FileKind
    id: int
    customer_id: int
    customer_name: str
    job_id: int | None
    title: str | None
    filename: str
    content_type: str
    size: int
    review_status: ReviewStatus
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    created_at: datetime
    # Who reviewed it, by name (None before a review or when that staff member is gone).
    reviewed_by_name: str | None = None
    # Set on a photo a customer attached to a service request.
    service_request_id: int | None = None


class FileReview(Request):
    """``POST /api/v1/files/{kind}/{id}/review``: share the file with the customer, or not.

    ``caption``, when given, becomes a photo's caption or a document's title in the same step
    (an empty caption clears a photo's; a document keeps a title).
    """

    decision: Literal["shareable", "rejected"]
    caption: str | None = Field(default=None, max_length=200)


class FileRef(Request):
    """One document or photo, by kind and id."""

    kind: FileKind
    id: int = Field(ge=1, le=2**63 - 1)


class BulkFileReview(Request):
    """``POST /api/v1/files/review``: one decision for up to 500 files, all or nothing."""

    decision: Literal["shareable", "rejected"]
    files: list[FileRef] = Field(min_length=1, max_length=500)


class BulkFileReviewResult(Response):
    """The files as they are after a bulk review."""

    data: list[FileOut]
