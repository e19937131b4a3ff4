"""Records API: quotes and invoices."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import DB
from server.domain.records.billing import delete_invoice, delete_quote, upsert_invoice, upsert_quote
from server.records.common import UPSERTED, CrmStaff, ExternalIdPath, JsonBody, answer
from server.wire.records import InvoiceIn, QuoteIn, RecordResult

router = APIRouter()


@router.put("/quotes/{external_id}", responses=UPSERTED)
def put_quote(
    staff: CrmStaff,
    _json: JsonBody,
    external_id: ExternalIdPath,
    body: QuoteIn,
    db: DB,
    response: Response,
) -> RecordResult:
    """Create or update a quote and its lines; 409 once the customer approved or declined it."""
    result = upsert_quote(db, staff.workspace_id, external_id, body)
    db.commit()
    return answer(result, response)


@router.delete("/quotes/{external_id}", status_code=204)
def remove_quote(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a quote."""
    delete_quote(db, staff.workspace_id, external_id)
    db.commit()


@router.put("/invoices/{external_id}", responses=UPSERTED)
def put_invoice(
    staff: CrmStaff,
    _json: JsonBody,
    external_id: ExternalIdPath,
    body: InvoiceIn,
    db: DB,
    response: Response,
) -> RecordResult:
    """Create or update an invoice, its lines and office payments; the balance is recomputed."""
    result = upsert_invoice(db, staff.workspace_id, external_id, body)
    db.commit()
    return answer(result, response)


@router.delete("/invoices/{external_id}", status_code=204)
def remove_invoice(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete an invoice; 409 once it has portal payments (void it instead)."""
    delete_invoice(db, staff.workspace_id, external_id)
    db.commit()
