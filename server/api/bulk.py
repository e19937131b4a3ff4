"""Staff API: ``POST /api/v1/portal-invites/bulk``, invite up to 5,000 contacts at once.

Send ``contact_ids`` or a ``selection`` (the customer list's ``q`` and ``portal_status``;
each chosen customer's primary contact). ``dry_run: true`` only reports what would happen.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from server.deps import DB, StaffContext, need, public_base_url
from server.domain.bulk_invite import bulk_invite
from server.domain.permissions import Permission
from server.wire.access import BulkInviteRequest, BulkInviteResult

router = APIRouter(tags=["access"])


@router.post("/portal-invites/bulk", response_model=BulkInviteResult)
def bulk(
    body: BulkInviteRequest,
    request: Request,
    staff: Annotated[StaffContext, need(Permission.BULK_INVITE)],
    db: DB,
) -> BulkInviteResult:
    """Per contact: would_invite/invited, or why not (no_email, invalid_email, email_shared,
    email_taken, already_invited, already_active, disabled, not_found)."""
    base = public_base_url(request)
    return bulk_invite(db, staff.workspace, staff.actor, body, base)
