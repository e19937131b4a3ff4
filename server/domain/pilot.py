"""Pilot groups: repeat customers chosen by a rule, saved under a name, invited in batches.

A rule is matched in SQL (one grouped pass over the workspace's jobs). Saving a group fixes
its members, so it keeps following them after they are invited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    Customer,
    CustomerGroup,
    CustomerGroupMember,
    Invoice,
    Job,
    Quote,
    StaffUser,
    Workspace,
)
from server.domain.adoption import funnel
from server.domain.audit import Actor, record_event
from server.domain.bulk_invite import bulk_invite
from server.domain.errors import Conflict, Invalid, NotFound
from server.wire.access import BulkInviteRequest, BulkInviteResult
from server.wire.rollout import (
    CustomerGroupOut,
    GroupCreate,
    InviteBatchResult,
    PilotMatch,
    PilotRule,
)

MAX_GROUP = 5000
SAMPLE = 5


def _since(rule: PilotRule, now: datetime) -> datetime:
    return now - timedelta(days=round(30.44 * rule.months))


def _matching(ws_id: int, rule: PilotRule, now: datetime) -> Select[int, str]:
    """Customers the rule takes, most recent work first: (id, name)."""
    when = func.coalesce(Job.completed_at, Job.scheduled_start, Job.created_at)
    recent = (
        select(Job.customer_id, func.max(when).label("last"))
        .where(Job.workspace_id == ws_id, when >= _since(rule, now))
        .group_by(Job.customer_id)
        .having(func.count() >= rule.min_jobs)
        .subquery()
    )
    stmt = (
        select(Customer.id, Customer.name)
        .join(recent, recent.c.customer_id == Customer.id)
        .where(Customer.workspace_id == ws_id, Customer.primary_contact_id.is_not(None))
    )
    if rule.not_invited:
        stmt = stmt.where(Customer.access_status == "not_invited")
    if rule.open_work:
        pending_quote = exists().where(Quote.customer_id == Customer.id, Quote.status == "pending")
        unpaid = exists().where(
            Invoice.customer_id == Customer.id,
            and_(Invoice.status == "open", Invoice.balance_cents > 0),
        )
        stmt = stmt.where(or_(pending_quote, unpaid))
    return stmt.order_by(recent.c.last.desc(), Customer.id)


def _total_customers(session: Session, ws_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Customer).where(Customer.workspace_id == ws_id)
        )
        or 0
    )


def match(session: Session, ws: Workspace, rule: PilotRule) -> PilotMatch:
    """How many customers the rule takes now, a few names, and what is wrong with it."""
    stmt = _matching(ws.id, rule, utcnow())
    matched = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    total = _total_customers(session, ws.id)
    sample = [row.name for row in session.execute(stmt.limit(SAMPLE))]
    return PilotMatch(
        matched=matched,
        total_customers=total,
        sample=sample,
        problem=_problem(rule, matched, total),
    )


def _problem(rule: PilotRule, matched: int, total: int) -> str | None:
    """Why a rule makes no pilot: it takes nobody, everybody, or too many to follow."""
    if matched == 0:
        return (
            "This rule matches no customers. Allow more months, fewer jobs, or include "
            "customers without open quotes or invoices."
        )
    size = min(matched, rule.size) if rule.size else matched
    if total > 1 and size >= total:
        return (
            f"This rule takes every one of your {total:,} customers, so it is not a pilot. "
            "Set a group size or a stricter rule."
        )
    if size > MAX_GROUP:
        return (
            f"This rule matches {matched:,} customers; a pilot group holds at most "
            f"{MAX_GROUP:,}. Set a group size or a stricter rule."
        )
    return None


def create_group(session: Session, ws: Workspace, body: GroupCreate, actor: Actor) -> int:
    """Save the customers the rule matches now as a named group; answers its id."""
    found = match(session, ws, body.rule)
    if found.problem:
        raise Invalid(found.problem, errors={"rule": found.problem})
    name = body.name.strip()
    taken = session.scalar(
        select(CustomerGroup.id).where(
            CustomerGroup.workspace_id == ws.id, func.lower(CustomerGroup.name) == name.lower()
        )
    )
    if taken:
        raise Conflict(
            f"There is already a group called '{name}'. Choose another name.",
            errors={"name": "Already used."},
        )
    stmt = _matching(ws.id, body.rule, utcnow())
    if body.rule.size:
        stmt = stmt.limit(body.rule.size)
    ids = [row.id for row in session.execute(stmt)]
    group = CustomerGroup(
        workspace_id=ws.id,
        name=name,
        rule=body.rule.model_dump(mode="json"),
        created_by_id=actor.id if actor.kind == "staff" else None,
    )
    session.add(group)
    try:
        session.flush()
    except IntegrityError as exc:  # the same name saved a moment ago by someone else
        session.rollback()
        raise Conflict(
            f"There is already a group called '{name}'.", errors={"name": "Already used."}
        ) from exc
    session.execute(
        insert(CustomerGroupMember),
        [{"group_id": group.id, "customer_id": c, "position": i} for i, c in enumerate(ids)],
    )
    record_event(
        session,
        ws.id,
        actor,
        "rollout.group_saved",
        group=name,
        size=len(ids),
        rule=group.rule,
    )
    session.commit()
    return group.id


def find_group(session: Session, ws: Workspace, group_id: int) -> CustomerGroup:
    """The workspace's group (NotFound, a 404, when it is another workspace's or none)."""
    group = session.scalar(
        select(CustomerGroup).where(
            CustomerGroup.id == group_id, CustomerGroup.workspace_id == ws.id
        )
    )
    if group is None:
        raise NotFound("There is no such group.")
    return group


def group_out(
    session: Session, ws: Workspace, group: CustomerGroup, with_funnel: bool = True
) -> CustomerGroupOut:
    """A group with its size, how many were batch-invited, and (unless left out) its funnel."""
    counts = session.execute(
        select(func.count(), func.count(CustomerGroupMember.batch_invited_at)).where(
            CustomerGroupMember.group_id == group.id
        )
    ).one()
    creator = (
        session.scalar(select(StaffUser.name).where(StaffUser.id == group.created_by_id))
        if group.created_by_id
        else None
    )
    return CustomerGroupOut(
        id=group.id,
        name=group.name,
        rule=PilotRule.model_validate(group.rule),
        size=counts[0],
        batch_invited=counts[1],
        created_at=group.created_at,
        created_by=creator,
        funnel=funnel(session, ws.id, group.id) if with_funnel else None,
    )


def list_groups(session: Session, ws: Workspace) -> list[CustomerGroupOut]:
    """Every saved group, newest first."""
    groups = session.scalars(
        select(CustomerGroup)
        .where(CustomerGroup.workspace_id == ws.id)
        .order_by(CustomerGroup.id.desc())
    )
    return [group_out(session, ws, g, with_funnel=False) for g in groups]


def get_group(session: Session, ws: Workspace, group_id: int) -> CustomerGroupOut:
    """One group (404 when it is not this workspace's)."""
    return group_out(session, ws, find_group(session, ws, group_id))


def invite_batch(
    session: Session, ws: Workspace, group_id: int, size: int, actor: Actor, base_url: str
) -> InviteBatchResult:
    """Invite the primary contacts of the next ``size`` members not yet sent a batch invite."""
    group = find_group(session, ws, group_id)
    rows = list(
        session.execute(
            select(CustomerGroupMember.customer_id, Customer.primary_contact_id)
            .join(Customer, Customer.id == CustomerGroupMember.customer_id)
            .where(
                CustomerGroupMember.group_id == group.id,
                CustomerGroupMember.batch_invited_at.is_(None),
            )
            .order_by(CustomerGroupMember.position)
            .limit(size)
        )
    )
    if not rows:
        raise Conflict(f"Everyone in '{group.name}' has been sent an invite already.")
    contact_ids = [r.primary_contact_id for r in rows if r.primary_contact_id]
    result = (
        bulk_invite(
            session, ws, actor, BulkInviteRequest(contact_ids=contact_ids, dry_run=False), base_url
        )
        if contact_ids
        else BulkInviteResult(dry_run=False, total=0, counts={}, results=[])
    )
    # Members whose contact could not be invited (no email...) count as tried: the next
    # batch moves on, and the results say why for each.
    session.execute(
        update(CustomerGroupMember)
        .where(
            CustomerGroupMember.group_id == group.id,
            CustomerGroupMember.customer_id.in_([r.customer_id for r in rows]),
        )
        .values(batch_invited_at=utcnow())
    )
    record_event(
        session,
        ws.id,
        actor,
        "rollout.batch_invited",
        group=group.name,
        size=len(rows),
        counts=result.counts,
    )
    session.commit()
    remaining = (
        session.scalar(
            select(func.count()).where(
                CustomerGroupMember.group_id == group.id,
                CustomerGroupMember.batch_invited_at.is_(None),
            )
        )
        or 0
    )
    return InviteBatchResult(results=result.results, counts=result.counts, remaining=remaining)
