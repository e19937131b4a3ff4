"""Documents and photos as staff review them before customers may see them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


class FileReview(Request):
    """``POST /api/v1/files/{kind}/{id}/review``: share the file with the customer, or not."""

    decision: Literal["shareable", "rejected"]
