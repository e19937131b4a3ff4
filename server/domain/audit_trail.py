"""Reading the audit trail: a workspace's events or one customer's, newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import AuditEvent, Customer
from server.domain.errors import Invalid
from server.domain.ids import parse_row_number
from server.wire.access import AuditEventOut
from server.wire.base import Page

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    number = parse_row_number(cursor)
    if number is None:
        problem = "This cursor is not one this list handed out. Start again from the first page."
        raise Invalid(problem, errors={"cursor": problem})
    return number


def list_events(
    session: Session,
    ws_id: int,
    *,
    customer_id: int | None = None,
    action: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[AuditEventOut]:
    """One page of events, newest first; ``count`` is how many match in all.

    ``action`` is an exact name (``portal.invite_sent``) or a prefix ending in a dot
    (``portal.``). The cursor is the id of the last event handed out.
    """
    before = _cursor(cursor)
    stmt = (
        select(AuditEvent, Customer.name)
        .outerjoin(Customer, Customer.id == AuditEvent.customer_id)
        .where(AuditEvent.workspace_id == ws_id)
    )
    if customer_id is not None:
        stmt = stmt.where(AuditEvent.customer_id == customer_id)
    if action:
        if action.endswith("."):
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == action)
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    rows = list(session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    data = [
        AuditEventOut(
            id=e.id,
            action=e.action,
            customer_id=e.customer_id,
            customer_name=name,
            contact_id=e.contact_id,
            actor_kind=e.actor_kind,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            detail=e.detail or {},
            created_at=e.created_at,
        )
        for e, name in rows
    ]
    next_cursor = str(rows[-1][0].id) if more else None
    return Page[AuditEventOut](data=data, count=count, next_cursor=next_cursor)
