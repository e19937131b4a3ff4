"""Records API: customers (with addresses) and contacts, by the CRM's external ids."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import DB
from server.domain.records.contacts import delete_contact, upsert_contact
from server.domain.records.customers import delete_customer, upsert_customer
from server.records.common import UPSERTED, CrmStaff, ExternalIdPath, JsonBody, answer, crm_actor
from server.wire.errors import errors
from server.wire.records import ContactIn, CustomerIn, RecordResult

router = APIRouter()


@router.put("/customers/{external_id}", responses=UPSERTED)
def put_customer(
    staff: CrmStaff,
    _json: JsonBody,
    external_id: ExternalIdPath,
    body: CustomerIn,
    db: DB,
    response: Response,
) -> RecordResult:
    """Create or update a customer; its ``addresses`` replace the stored ones, in order."""
    result = upsert_customer(db, staff.workspace_id, external_id, body)
    db.commit()
    return answer(result, response)


@router.delete("/customers/{external_id}", status_code=204)
def remove_customer(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a customer with its contacts, portal accounts, jobs, quotes, invoices and files."""
    delete_customer(db, staff.workspace_id, external_id, crm_actor(staff))
    db.commit()


@router.put("/contacts/{external_id}", responses={**UPSERTED, **errors(409)})
def put_contact(
    staff: CrmStaff,
    _json: JsonBody,
    external_id: ExternalIdPath,
    body: ContactIn,
    db: DB,
    response: Response,
) -> RecordResult:
    """Create or update a contact.

    A new email is carried to the contact's portal account; 409 when another account of the
    workspace signs in with it, or when the email would be removed from an account holder.
    """
    result = upsert_contact(db, staff.workspace_id, external_id, body, crm_actor(staff))
    db.commit()
    return answer(result, response)


@router.delete("/contacts/{external_id}", status_code=204)
def remove_contact(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a contact; its portal account and sessions end with it."""
    delete_contact(db, staff.workspace_id, external_id, crm_actor(staff))
    db.commit()
