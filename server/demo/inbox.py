"""The demo workspace's inbox: the newest things its customers did, filed as the portal files
them (through the same domain functions), so the Follow-up panel has work in it at once.

Only the newest ``per_kind`` of each kind are filed, so a seed of 100,000 customers spends a
second or two here; items older than a few days (requests aside) are marked done, as an
office would have.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import FollowUp, Invoice, Job, Payment, Photo, Quote, ServiceRequest
from server.domain.follow_up import touch
from server.domain.follow_up_causes import payment_recorded, quote_answered, request_submitted

HANDLED_AFTER = timedelta(days=3)


def file_recent_activity(
    session: Session, workspace_id: int, office_name: str, *, per_kind: int = 60
) -> int:
    """File the newest customer actions of each kind; returns how many items were filed."""
    filed: list[FollowUp] = []
    quotes = session.scalars(
        select(Quote)
        .where(
            Quote.workspace_id == workspace_id,
            Quote.status.in_(("approved", "declined")),
            Quote.decided_by_contact_id.is_not(None),
        )
        .order_by(Quote.decided_at.desc())
        .limit(per_kind)
    )
    filed += [quote_answered(session, q) for q in quotes]
    payments = session.execute(
        select(Payment, Invoice)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(
            Payment.workspace_id == workspace_id,
            Payment.provider != "office",
            Payment.paid_by_contact_id.is_not(None),
        )
        .order_by(Payment.paid_at.desc())
        .limit(per_kind)
    ).all()
    filed += [payment_recorded(session, inv, p, p.status == "succeeded") for p, inv in payments]
    requests = session.execute(
        select(ServiceRequest, Job)
        .join(Job, Job.id == ServiceRequest.job_id)
        .where(ServiceRequest.workspace_id == workspace_id, ServiceRequest.status == "requested")
        .order_by(ServiceRequest.created_at.desc())
        .limit(per_kind)
    ).all()
    for request, job in requests:
        photos = session.scalars(
            select(Photo.id).where(Photo.service_request_id == request.id).order_by(Photo.id)
        ).all()
        filed.append(request_submitted(session, request, job, list(photos)))
    cutoff = utcnow() - HANDLED_AFTER
    for item in filed:
        # A request stays open until someone accepts, asks about or declines it.
        if item.happened_at < cutoff and item.kind != "service_request":
            item.state = "done"
            item.done_note = "Called the customer; nothing more to do."
            item.done_by_name = office_name
            item.done_at = item.happened_at + timedelta(hours=3)
            touch(session, item)
    return len(filed)
