"""Staff API: ``GET /api/v1/email-hygiene``, the email clean-up report (``limit`` per section)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.deps import DB, StaffContext, need
from server.domain import email_hygiene as service
from server.domain.permissions import Permission
from server.wire.access import EmailHygieneReport

router = APIRouter(tags=["access"])


@router.get("/email-hygiene", response_model=EmailHygieneReport)
def email_hygiene(
    staff: Annotated[StaffContext, need(Permission.VIEW_CUSTOMERS)],
    db: DB,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
) -> EmailHygieneReport:
    """Invalid and missing emails, emails repeated within a customer, and emails shared by
    several customers: each with its full count and the first ``limit`` entries."""
    return service.email_hygiene(db, staff.workspace_id, limit)
