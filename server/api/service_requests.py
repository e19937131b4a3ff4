"""Staff API: deciding service requests (``/api/v1/service-requests``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from server.deps import DB, PublicBaseUrl, RowIdPath, StaffContext, need
from server.domain import request_decisions as decisions
from server.domain.permissions import Permission
from server.wire.errors import errors
from server.wire.follow_up import AcceptRequest, AskRequest, DeclineRequest, ServiceRequestOut

router = APIRouter(prefix="/service-requests", tags=["follow-up"])

Reader = Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)]
Handler = Annotated[StaffContext, need(Permission.HANDLE_FOLLOW_UP)]


@router.get("/{request_id}", response_model=ServiceRequestOut, responses=errors(410))
def get_service_request(request_id: RowIdPath, staff: Reader, db: DB) -> ServiceRequestOut:
    """A request with its status, question and answer, and its job's schedule."""
    return decisions.request_out(db, decisions.find(db, staff.workspace_id, request_id))


@router.post("/{request_id}/accept", response_model=ServiceRequestOut, responses=errors(409, 410))
def accept_service_request(
    request_id: RowIdPath, body: AcceptRequest, staff: Handler, db: DB
) -> ServiceRequestOut:
    """Schedule the request's job (it becomes "scheduled"); its follow-up item is done."""
    found = decisions.accept(db, staff.workspace, staff.actor, request_id, body)
    db.commit()
    return decisions.request_out(db, found)


@router.post("/{request_id}/ask", response_model=ServiceRequestOut, responses=errors(409, 410))
def ask_about_service_request(
    request_id: RowIdPath, body: AskRequest, staff: Handler, db: DB, base_url: PublicBaseUrl
) -> ServiceRequestOut:
    """Ask the customer for more; they see the question on the portal and by email."""
    found = decisions.ask(db, staff.workspace, staff.actor, request_id, body.question, base_url)
    db.commit()
    return decisions.request_out(db, found)


@router.post("/{request_id}/decline", response_model=ServiceRequestOut, responses=errors(409, 410))
def decline_service_request(
    request_id: RowIdPath, body: DeclineRequest, staff: Handler, db: DB, base_url: PublicBaseUrl
) -> ServiceRequestOut:
    """Turn the request down; the customer sees the reason on the portal and by email."""
    found = decisions.decline(db, staff.workspace, staff.actor, request_id, body.reason, base_url)
    db.commit()
    return decisions.request_out(db, found)
