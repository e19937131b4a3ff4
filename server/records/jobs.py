"""Records API: jobs."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import DB
from server.domain.records.jobs import delete_job, upsert_job
from server.records.common import UPSERTED, CrmStaff, ExternalIdPath, JsonBody, answer
from server.wire.records import JobIn, RecordResult

router = APIRouter()


@router.put("/jobs/{external_id}", responses=UPSERTED)
def put_job(
    staff: CrmStaff,
    _json: JsonBody,
    external_id: ExternalIdPath,
    body: JobIn,
    db: DB,
    response: Response,
) -> RecordResult:
    """Create or update a job of an existing customer (422 when the customer is unknown)."""
    result = upsert_job(db, staff.workspace_id, external_id, body)
    db.commit()
    return answer(result, response)


@router.delete("/jobs/{external_id}", status_code=204)
def remove_job(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a job; its quotes, invoices and files stay, no longer linked to it."""
    delete_job(db, staff.workspace_id, external_id)
    db.commit()
