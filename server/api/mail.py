"""Staff API: the mail outbox (what was sent, what waits, what failed) and retries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.deps import DB, CursorQuery, RowIdPath, StaffContext, need
from server.domain import outbox
from server.domain.permissions import Permission
from server.wire.errors import errors
from server.wire.mail import OutboxEmailOut, OutboxPage, OutboxStatus

router = APIRouter(tags=["mail"])

MailViewer = Annotated[StaffContext, need(Permission.VIEW_MAIL)]


@router.get("/outbox", response_model=OutboxPage)
def list_outbox(
    staff: MailViewer,
    db: DB,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorQuery = None,
) -> OutboxPage:
    """The workspace's outbox, newest first; undelivered emails show their link."""
    return outbox.list_outbox(db, staff.workspace_id, status=status, limit=limit, cursor=cursor)


@router.post("/outbox/{email_id}/retry", response_model=OutboxEmailOut)
def retry_email(email_id: RowIdPath, staff: MailViewer, db: DB) -> OutboxEmailOut:
    """Send a pending or failed email again now, with a fresh set of attempts."""
    row = outbox.retry_email(db, staff.workspace_id, email_id, staff.actor)
    db.commit()
    return outbox.outbox_row(row)


@router.post("/outbox/{email_id}/cancel", response_model=OutboxEmailOut, responses=errors(409))
def cancel_email(email_id: RowIdPath, staff: MailViewer, db: DB) -> OutboxEmailOut:
    """Stop a pending or failed email from being sent; it stays listed as cancelled."""
    row = outbox.cancel_email(db, staff.workspace_id, email_id, staff.actor)
    db.commit()
    return outbox.outbox_row(row)
