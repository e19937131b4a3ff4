"""The email clean-up report: invalid, missing, duplicated within a customer, shared across
customers. Each section gives the full count and the first ``limit`` entries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.db.models import Contact, Customer, PortalAccount
from server.domain.emails import email_problem
from server.wire.access import (
    EmailGroup,
    EmailHygieneReport,
    HygieneContact,
    HygieneSection,
    InvalidEmail,
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _contact_rows(session: Session, ws_id: int, *conds: Any) -> list[Any]:
    stmt = (
        select(
            Contact.id,
            Contact.name,
            Contact.email,
            Contact.email_normalized,
            Contact.customer_id,
            Customer.name.label("customer_name"),
            PortalAccount.id.label("account_id"),
        )
        .join(Customer, Customer.id == Contact.customer_id)
        .outerjoin(PortalAccount, PortalAccount.contact_id == Contact.id)
        .where(Contact.workspace_id == ws_id, *conds)
        .order_by(Customer.sort_name, Customer.id, Contact.id)
    )
    return list(session.execute(stmt))


def _contact(r: Any) -> HygieneContact:
    return HygieneContact(
        contact_id=r.id,
        contact_name=r.name,
        email=r.email,
        customer_id=r.customer_id,
        customer_name=r.customer_name,
        has_portal_account=r.account_id is not None,
    )


def _groups(session: Session, ws_id: int, having: Any, limit: int) -> HygieneSection[EmailGroup]:
    grouped = (
        select(Contact.email_normalized)
        .where(Contact.workspace_id == ws_id, Contact.email_normalized.is_not(None))
        .group_by(Contact.email_normalized)
        .having(having)
    )
    count = session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    people = session.scalar(
        select(func.count(Contact.id)).where(
            Contact.workspace_id == ws_id, Contact.email_normalized.in_(grouped)
        )
    )
    found = session.scalars(grouped.order_by(Contact.email_normalized).limit(limit))
    emails = [e for e in found if e is not None]
    members: dict[str, list[HygieneContact]] = defaultdict(list)
    if emails:
        for r in _contact_rows(session, ws_id, Contact.email_normalized.in_(emails)):
            members[r.email_normalized].append(_contact(r))
    items = [
        EmailGroup(
            email=e,
            customer_count=len({c.customer_id for c in members[e]}),
            contacts=members[e],
        )
        for e in emails
    ]
    return HygieneSection[EmailGroup](count=count, contact_count=people or 0, items=items)


def email_hygiene(session: Session, ws_id: int, limit: int = DEFAULT_LIMIT) -> EmailHygieneReport:
    """Everything that stops invites from reaching the right person."""
    missing_cond = or_(Contact.email.is_(None), func.trim(Contact.email) == "")
    missing_rows = _contact_rows(session, ws_id, missing_cond)
    # Validity is a Python rule (emails.email_problem), so every address is read once.
    invalid: list[InvalidEmail] = []
    for r in _contact_rows(
        session, ws_id, Contact.email.is_not(None), func.trim(Contact.email) != ""
    ):
        problem = email_problem(r.email)
        if problem:
            invalid.append(InvalidEmail(**_contact(r).model_dump(), problem=problem))
    duplicated = _groups(
        session,
        ws_id,
        func.count(Contact.id) > func.count(func.distinct(Contact.customer_id)),
        limit,
    )
    shared = _groups(session, ws_id, func.count(func.distinct(Contact.customer_id)) > 1, limit)
    return EmailHygieneReport(
        limit=limit,
        invalid=HygieneSection[InvalidEmail](
            count=len(invalid), contact_count=len(invalid), items=invalid[:limit]
        ),
        missing=HygieneSection[HygieneContact](
            count=len(missing_rows),
            contact_count=len(missing_rows),
            items=[_contact(r) for r in missing_rows[:limit]],
        ),
        duplicated=duplicated,
        shared=shared,
    )
