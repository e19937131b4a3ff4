"""Records API: jobs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from server.api.deps import DB
from server.domain.records.jobs import delete_job, upsert_job
from server.records.common import CrmStaff, ExternalIdPath, answer, json_body
from server.wire.records import JobIn, RecordResult

router = APIRouter()


@router.put("/jobs/{external_id}", dependencies=[Depends(json_body)])
def put_job(
    external_id: ExternalIdPath, body: JobIn, staff: CrmStaff, db: DB, response: Response
) -> RecordResult:
    """Create or update a job of an existing customer (422 when the customer is unknown)."""
    result = upsert_job(db, staff.workspace_id, external_id, body)
    db.commit()
    return answer(result, response)


@router.delete("/jobs/{external_id}", status_code=204)
def remove_job(external_id: ExternalIdPath, staff: CrmStaff, db: DB) -> None:
    """Delete a job; its quotes, invoices and files stay, no longer linked to it."""
    delete_job(db, staff.workspace_id, external_id)
    db.commit()
