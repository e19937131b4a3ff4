"""Records API: the batch upsert and the read-back of what customers did."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.deps import DB
from server.domain.records.activity import read_activity
from server.domain.records.batch import apply_batch
from server.records.common import CrmStaff, JsonBody, crm_actor
from server.records.cursor import parse_cursor
from server.wire.records import ActivityPage, BatchResult, RecordResult, RecordsBatch

router = APIRouter()


@router.post("/batch")
def post_batch(staff: CrmStaff, _json: JsonBody, body: RecordsBatch, db: DB) -> BatchResult:
    """Upsert up to 5,000 records (customers, contacts, jobs, quotes, invoices, applied in
    that order). A batch of up to 100 records is all or nothing; a larger one is saved in parts
    (every quarter second) so that other writes never wait long, and a failing item's error
    says how many records before it were saved. Every item is an upsert by external id, so
    sending the mended batch again is safe.
    """
    results = apply_batch(db, staff.workspace_id, body, crm_actor(staff))
    db.commit()
    data = [
        RecordResult(
            entity=r.entity,
            external_id=r.external_id,
            id=r.id,
            created=r.created,
            changed=r.changed,
        )
        for r in results
    ]
    return BatchResult(data=data, count=len(data), changed=sum(r.changed for r in results))


@router.get("/activity")
def get_activity(
    staff: CrmStaff,
    db: DB,
    since: Annotated[
        str, Query(max_length=20, description="Cursor from the last page; 0 for all.")
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ActivityPage:
    """Quote approvals and declines (typed name, time, IP), portal payments and service
    requests, in the order they happened, after ``since``.
    """
    return read_activity(db, staff.workspace_id, parse_cursor(since), limit)
