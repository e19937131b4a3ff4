"""Staff API: the customer list, one customer, and editing a contact.

- ``GET /api/v1/customers``: ``q``, ``portal_status``, ``limit``, ``cursor``.
- ``GET /api/v1/customers/{id}``: contacts with their portal accounts, and addresses.
- ``GET /api/v1/contacts/{id}``: one contact; its ``ETag`` is the version to send back.
- ``PATCH /api/v1/contacts/{id}``: name, email, phone; needs ``If-Match``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from server.api.etags import IfMatch, set_etag
from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need, text_query
from server.domain import customers as service
from server.domain.access_views import contact_with_account, customer_detail
from server.domain.contacts import update_contact
from server.domain.permissions import Permission
from server.wire.access import ContactPatch
from server.wire.customers import ContactOut, CustomerDetail, CustomerPage, PortalStatus

router = APIRouter(tags=["customers"])


@router.get("/customers", response_model=CustomerPage)
def list_customers(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
    q: Annotated[
        str | None,
        text_query(200, "Words to find in names, emails, phones, addresses."),
    ] = None,
    portal_status: Annotated[PortalStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """Customers in name order; ``count`` is how many match in all (a search or filter counts
    up to 1,000; ``count_capped`` says more match), ``next_cursor`` the next page (absent on
    the last)."""
    body = service.list_customers(
        db, staff.workspace_id, q=q, portal_status=portal_status, limit=limit, cursor=cursor
    )
    # Encoded by the service; response_model above still documents the shape.
    return Response(content=body, media_type="application/json")


@router.get("/customers/{customer_id}", response_model=CustomerDetail)
def get_customer(
    customer_id: RowIdPath, staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)], db: DB
) -> CustomerDetail:
    """One customer with every contact, each contact's portal account, and addresses."""
    customer = service.customer_in_workspace(db, staff.workspace_id, customer_id)
    return customer_detail(db, customer)


@router.get("/contacts/{contact_id}", response_model=ContactOut)
def get_contact(
    contact_id: RowIdPath,
    response: Response,
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
) -> ContactOut:
    """One contact with its portal account; the ``ETag`` is what ``PATCH`` needs."""
    contact = service.contact_in_workspace(db, staff.workspace_id, contact_id)
    set_etag(response, contact.version)
    return contact_with_account(db, contact)


@router.patch("/contacts/{contact_id}", response_model=ContactOut)
def patch_contact(
    contact_id: RowIdPath,
    body: ContactPatch,
    response: Response,
    staff: Annotated[StaffContext, need(Permission.EDIT_CONTACTS)],
    db: DB,
    if_match: IfMatch = None,
) -> ContactOut:
    """Change a contact's name, email or phone. Emails are stored trimmed and lower-cased;
    changing the email of a contact with portal access kills links mailed to the old one."""
    contact = update_contact(db, staff.workspace, staff.actor, contact_id, body, if_match)
    set_etag(response, contact.version)
    return contact_with_account(db, contact)
