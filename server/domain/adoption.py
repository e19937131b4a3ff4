"""How customers take up the portal: the funnel and cumulative weekly adoption.

Read from the customer's summary columns (one indexed table) and the portal accounts, so a
workspace of 100,000 customers answers in one pass per measure. A ``group_id`` narrows every
measure to the members of a saved group.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import Session

from server.db.models import (
    Customer,
    CustomerGroupMember,
    Payment,
    PortalAccount,
    Quote,
    ServiceRequest,
)
from server.wire.rollout import AdoptionWeek, Funnel

MAX_WEEKS = 52


def _in_group[*Ts](stmt: Select[*Ts], column: Any, group_id: int | None) -> Select[*Ts]:
    if group_id is None:
        return stmt
    members = select(CustomerGroupMember.customer_id).where(
        CustomerGroupMember.group_id == group_id
    )
    return stmt.where(column.in_(members))


def funnel(session: Session, ws_id: int, group_id: int | None = None) -> Funnel:
    """Customers, and how many were invited, accepted, signed in and did something."""
    counts = select(
        func.count(),
        func.count().filter(Customer.access_status != "not_invited"),
        func.count().filter(
            (Customer.access_status == "active") | Customer.last_sign_in_at.is_not(None)
        ),
        func.count(Customer.last_sign_in_at),
    ).where(Customer.workspace_id == ws_id)
    total, invited, accepted, signed_in = session.execute(
        _in_group(counts, Customer.id, group_id)
    ).one()
    # A customer "did something" when one of its contacts acted through the portal.
    acted_ids = union(
        _in_group(
            select(Quote.customer_id).where(
                Quote.workspace_id == ws_id, Quote.decided_by_contact_id.is_not(None)
            ),
            Quote.customer_id,
            group_id,
        ),
        _in_group(
            select(Payment.customer_id).where(
                Payment.workspace_id == ws_id, Payment.paid_by_contact_id.is_not(None)
            ),
            Payment.customer_id,
            group_id,
        ),
        _in_group(
            select(ServiceRequest.customer_id).where(
                ServiceRequest.workspace_id == ws_id, ServiceRequest.contact_id.is_not(None)
            ),
            ServiceRequest.customer_id,
            group_id,
        ),
    ).subquery()
    acted = session.scalar(select(func.count()).select_from(acted_ids)) or 0
    return Funnel(
        customers=total, invited=invited, accepted=accepted, signed_in=signed_in, acted=acted
    )


def _monday(at: datetime) -> datetime:
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weeks(session: Session, ws_id: int, group_id: int | None, now: datetime) -> list[AdoptionWeek]:
    """Cumulative invited and accepted accounts at the end of each week (at most a year).

    Invited is when the account was first invited (created); accepted is when its password
    was first set, which a later password change moves, so a week's count can shift later.
    """
    stmt = select(PortalAccount.created_at, PortalAccount.password_changed_at).where(
        PortalAccount.workspace_id == ws_id
    )
    rows = session.execute(_in_group(stmt, PortalAccount.customer_id, group_id)).all()
    if not rows:
        return []
    invited = Counter(_monday(r[0]) for r in rows)
    accepted = Counter(_monday(r[1]) for r in rows if r[1] is not None)
    last = _monday(now)
    first = max(min(invited), last - timedelta(weeks=MAX_WEEKS - 1))
    before_inv = sum(n for w, n in invited.items() if w < first)
    before_acc = sum(n for w, n in accepted.items() if w < first)
    out = []
    week = first
    while week <= last:
        before_inv += invited.get(week, 0)
        before_acc += accepted.get(week, 0)
        out.append(AdoptionWeek(week=week, invited=before_inv, accepted=before_acc))
        week += timedelta(weeks=1)
    return out
