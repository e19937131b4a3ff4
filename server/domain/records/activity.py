"""Read-back for the CRM: what customers did in the portal (approvals, payments, requests).

The cursor is the change-log sequence, so items come in commit order and nothing committed
late is skipped. A record appears again if it changes again (at-least-once delivery).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from server.db.models import Change, Contact, Customer, Invoice, Payment, Quote, ServiceRequest
from server.wire.records import ActivityItem, ActivityPage

PORTAL_PAYMENT = and_(Payment.provider != "office", Payment.status == "succeeded")


def _people(
    session: Session, customer_ids: set[int], contact_ids: set[int]
) -> tuple[dict[int, str | None], dict[int, tuple[str | None, str]]]:
    customers: dict[int, str | None] = {
        cid: ext
        for cid, ext in session.execute(
            select(Customer.id, Customer.external_id).where(Customer.id.in_(customer_ids))
        )
    }
    contacts = {
        cid: (ext, name)
        for cid, ext, name in session.execute(
            select(Contact.id, Contact.external_id, Contact.name).where(Contact.id.in_(contact_ids))
        ).all()
    }
    return customers, contacts


def _quote_item(seq: int, q: Quote) -> dict[str, Any]:
    return {
        "seq": seq,
        "kind": f"quote_{q.status}",
        "at": q.decided_at,
        "customer_id": q.customer_id,
        "contact_id": q.decided_by_contact_id,
        "record_id": q.id,
        "record_external_id": q.external_id,
        "typed_name": q.approved_name,
        "ip": q.approved_ip,
        "reason": q.declined_reason,
        "amount_cents": q.total_cents,
        "currency": q.currency,
    }


def _payment_item(seq: int, p: Payment, invoice_ext: str | None) -> dict[str, Any]:
    return {
        "seq": seq,
        "kind": "payment",
        "at": p.paid_at or p.created_at,
        "customer_id": p.customer_id,
        "contact_id": p.paid_by_contact_id,
        "record_id": p.invoice_id,
        "record_external_id": invoice_ext,
        "amount_cents": p.amount_cents,
        "currency": p.currency,
        "receipt_number": p.receipt_number,
        "method": p.method,
        "status": p.status,
    }


def _request_item(seq: int, r: ServiceRequest) -> dict[str, Any]:
    return {
        "seq": seq,
        "kind": "service_request",
        "at": r.created_at,
        "customer_id": r.customer_id,
        "contact_id": r.contact_id,
        "record_id": r.id,
        "record_external_id": None,
        "description": r.description,
        "preferred_times": r.preferred_times,
        "status": r.status,
        "question": r.question,
        "answer": r.answer,
        "decline_reason": r.decline_reason,
        "job_id": r.job_id,
    }


def read_activity(session: Session, workspace_id: int, since: int, limit: int) -> ActivityPage:
    """One page of customer activity after the cursor ``since``."""
    # Read the ceiling first: rows committed after it wait for the next call.
    ceiling = session.scalar(
        select(func.coalesce(func.max(Change.seq), 0)).where(Change.workspace_id == workspace_id)
    )
    rows = session.execute(
        select(Change.seq, Change.entity, Change.entity_id)
        .outerjoin(Quote, and_(Change.entity == "quote", Quote.id == Change.entity_id))
        .outerjoin(Payment, and_(Change.entity == "payment", Payment.id == Change.entity_id))
        .where(
            Change.workspace_id == workspace_id,
            Change.seq > since,
            Change.seq <= ceiling,
            Change.op == "upsert",
            or_(
                and_(Change.entity == "quote", Quote.status.in_(("approved", "declined"))),
                and_(Change.entity == "payment", PORTAL_PAYMENT),
                Change.entity == "service_request",
            ),
        )
        .order_by(Change.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    ids: dict[str, dict[int, int]] = {"quote": {}, "payment": {}, "service_request": {}}
    for seq, entity, entity_id in rows:
        ids[entity][entity_id] = seq
    raw: list[dict[str, Any]] = []
    if ids["quote"]:
        for q in session.scalars(select(Quote).where(Quote.id.in_(ids["quote"]))):
            raw.append(_quote_item(ids["quote"][q.id], q))
    if ids["payment"]:
        pay = session.execute(
            select(Payment, Invoice.external_id)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Payment.id.in_(ids["payment"]))
        ).all()
        raw += [_payment_item(ids["payment"][p.id], p, ext) for p, ext in pay]
    if ids["service_request"]:
        reqs = session.scalars(
            select(ServiceRequest).where(ServiceRequest.id.in_(ids["service_request"]))
        )
        raw += [_request_item(ids["service_request"][r.id], r) for r in reqs]
    customers, contacts = _people(
        session,
        {r["customer_id"] for r in raw},
        {r["contact_id"] for r in raw if r["contact_id"] is not None},
    )
    items = []
    for r in sorted(raw, key=lambda d: int(d["seq"])):
        ext, name = contacts.get(r["contact_id"], (None, None))
        r.update(
            customer_external_id=customers.get(r["customer_id"]),
            contact_external_id=ext,
            contact_name=name,
        )
        items.append(ActivityItem.model_validate(r))
    last = rows[-1][0] if rows else since
    cursor = last if has_more else max(since, int(ceiling or 0))
    return ActivityPage(data=items, count=len(items), next_cursor=str(cursor), has_more=has_more)
