"""Documents and photos: rows pointing at the few stored files, some not yet reviewed."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.demo import names
from server.demo.context import Row, SeedContext
from server.demo.people import CustomerDraft

# The file review's outcomes (server.wire.files.ReviewStatus).
REVIEW_WEIGHTS = {"shareable": 62, "pending": 33, "rejected": 5}


def _reviewed(ctx: SeedContext, row: Row, at: datetime) -> None:
    status = ctx.pick(REVIEW_WEIGHTS, ctx.numbers["review"])
    ctx.number("review")
    row["review_status"] = status
    row["reviewed_by_id"] = None if status == "pending" else ctx.staff["manager"].id
    row["reviewed_at"] = None if status == "pending" else min(ctx.now, at + timedelta(days=1))
    ctx.tally[f"file_{status}"] += 1


def add_document(ctx: SeedContext, draft: CustomerDraft, job: Row) -> None:
    """Queue a document (one of the stored PDFs) for a job."""
    title = ctx.rng.choice(names.DOCUMENT_TITLES)
    at = job["completed_at"] or job["created_at"]
    row: Row = {
        "id": ctx.ids.take("document"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "job_id": job["id"],
        "external_id": None,
        "title": title,
        "filename": f"{title.lower().replace(' ', '-')}-{job['number'].lower()}.pdf",
        "file_id": ctx.rng.choice(ctx.document_files),
        "created_at": at,
    }
    _reviewed(ctx, row, at)
    ctx.batch.add("document", row)


def add_photo(ctx: SeedContext, draft: CustomerDraft, job: Row | None, request: Row | None) -> None:
    """Queue a photo (one of the stored images) of a job or a service request."""
    at = (request or {}).get("created_at") or (job or {}).get("scheduled_start") or ctx.now
    row: Row = {
        "id": ctx.ids.take("photo"),
        "workspace_id": ctx.workspace_id,
        "customer_id": draft.customer["id"],
        "job_id": job["id"] if job else None,
        "service_request_id": request["id"] if request else None,
        "external_id": None,
        "caption": ctx.rng.choice(names.PHOTO_CAPTIONS),
        "file_id": ctx.rng.choice(ctx.photo_files),
        "taken_at": at,
        "created_at": at,
    }
    _reviewed(ctx, row, at)
    if request is not None:  # customers' own uploads always wait for a review
        row.update(
            review_status="pending",
            reviewed_by_id=None,
            reviewed_at=None,
            caption="Sent with the service request",
        )
    ctx.batch.add("photo", row)
