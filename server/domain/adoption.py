"""How customers take up the portal: the funnel and cumulative weekly adoption.

Read from the customer's summary columns (one indexed table) and the portal accounts, so a
workspace of 100,000 customers answers in one pass per measure. A ``group_id`` narrows every
measure to the members of a saved group.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, distinct, func, select, union
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
    # IN (the members), not a join: with a join SQLite walked the whole workspace's index
    # and tested each customer for membership (the planner has no statistics for groups
    # saved after the last ANALYZE); with IN both databases start from the members.
    members = select(CustomerGroupMember.customer_id).where(
        CustomerGroupMember.group_id == group_id
    )
    return stmt.where(column.in_(members))


def _customers_with(column: Any, ws_id: int, group_id: int | None) -> Any:
    """How many customers have an account with ``column`` set (a scalar subquery)."""
    stmt = select(func.count(distinct(PortalAccount.customer_id))).where(
        PortalAccount.workspace_id == ws_id, column.is_not(None)
    )
    return _in_group(stmt, PortalAccount.customer_id, group_id).scalar_subquery()


def funnel(session: Session, ws_id: int, group_id: int | None = None) -> Funnel:
    """Customers, and how many were invited, accepted, signed in and did something.

    ``group_id`` must be a group of workspace ``ws_id`` (``pilot.find_group``)."""
    statuses = select(Customer.access_status, func.count())
    if group_id is None:
        # From the covering index of the portal-status filter: no customer row is read.
        statuses = statuses.where(Customer.workspace_id == ws_id)
    else:
        # The members by primary key. The group is the workspace's (callers find it by
        # workspace first), so its members need no workspace condition; with one, SQLite
        # (no statistics) walked the workspace's customers testing each for membership
        # (100,000 index entries for a group of 2,000: 25 ms instead of 4).
        statuses = _in_group(statuses, Customer.id, group_id)
    by_status: dict[str, int] = {
        status: count
        for status, count in session.execute(statuses.group_by(Customer.access_status))
    }
    total = sum(by_status.values())
    invited = total - by_status.get("not_invited", 0)
    # Two counts of distinct customers, each along the covering index in customer order
    # (SQLite counts them without a sort; one pass with two DISTINCT sorts cost it twice
    # as much).
    accepted, signed_in = session.execute(
        select(
            _customers_with(PortalAccount.password_changed_at, ws_id, group_id),
            _customers_with(PortalAccount.last_sign_in_at, ws_id, group_id),
        )
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


def _per_day(session: Session, column: Any, ws_id: int, group_id: int | None) -> Counter[datetime]:
    """How many accounts have ``column`` on each day, counted in the database."""
    if session.get_bind().dialect.name == "sqlite":
        day: Any = func.date(column)
    else:
        day = func.date(func.timezone("UTC", column))
    stmt = select(day, func.count(column)).where(PortalAccount.workspace_id == ws_id)
    if group_id is None:
        # Everyone: on SQLite the day indexes hold this (``column`` set, by workspace and
        # day), so the days come in order from the index instead of a sort of every account.
        stmt = stmt.where(column.is_not(None))
    else:
        # A group starts from its members (the covering adoption index) and sorts their few
        # accounts. Without "``column`` is set" here, the partial day indexes cannot be
        # chosen: SQLite, without statistics, took them and tested every account of the
        # workspace for membership. Accounts without ``column`` come as a day of None.
        stmt = _in_group(stmt, PortalAccount.customer_id, group_id)
    out: Counter[datetime] = Counter()
    for value, count in session.execute(stmt.group_by(day)):
        if value is None:
            continue
        at = value if isinstance(value, date) else date.fromisoformat(str(value))
        out[_monday(datetime(at.year, at.month, at.day, tzinfo=UTC))] += int(count)
    return out


def weeks(session: Session, ws_id: int, group_id: int | None, now: datetime) -> list[AdoptionWeek]:
    """Cumulative invited and accepted accounts at the end of each week (at most a year).

    Invited is when the account was first invited (created); accepted is when its password
    was first set, which a later password change moves, so a week's count can shift later.
    Counted per day in the database: a year has at most 366 rows, whatever the size.
    """
    invited = _per_day(session, PortalAccount.created_at, ws_id, group_id)
    if not invited:
        return []
    accepted = _per_day(session, PortalAccount.password_changed_at, ws_id, group_id)
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
