"""A customer's answer to a quote: approve (typed name, time, address) or decline.

Single-shot under concurrency: the decision is a conditional UPDATE on ``status='pending'``,
so of two simultaneous answers exactly one wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Quote
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.follow_up_causes import quote_answered
from server.domain.portal_billing_views import quote_state
from server.domain.portal_view_models import MISSING, Scope

STATE_SENTENCES = {
    "approved": "This quote has already been approved, so nothing was changed.",
    "declined": "This quote has already been declined, so nothing was changed.",
    "expired": "This quote has expired, so it can no longer be approved. Ask us for a new one.",
}


def _owned(db: Session, scope: Scope, quote_id: int) -> Quote:
    if not scope.policy.shows("quotes"):
        raise NotFound(MISSING)
    quote = db.scalar(
        select(Quote).where(
            Quote.id == quote_id,
            Quote.workspace_id == scope.workspace_id,
            Quote.customer_id == scope.customer_id,
        )
    )
    if quote is None:
        raise NotFound(MISSING)
    return quote


def _decide(db: Session, scope: Scope, quote: Quote, values: Mapping[str, object]) -> bool:
    now = utcnow()
    result = db.execute(
        update(Quote)
        .where(
            Quote.id == quote.id,
            Quote.status == "pending",
            or_(Quote.expires_at.is_(None), Quote.expires_at > now),
        )
        .values(decided_at=now, updated_at=now, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _refused(db: Session, quote: Quote) -> Conflict:
    db.rollback()
    db.refresh(quote)
    return Conflict(STATE_SENTENCES.get(quote_state(quote), STATE_SENTENCES["expired"]))


def approve(
    db: Session, scope: Scope, quote_id: int, actor: Actor, typed_name: str, agreed: bool
) -> None:
    """Approve a pending quote; refuses a missing name or tick, and decided or expired quotes."""
    quote = _owned(db, scope, quote_id)
    if not scope.policy.allows("approve_quotes"):
        raise Conflict("Quotes cannot be approved online. Please contact us to approve it.")
    name = " ".join(typed_name.split())
    errors = {}
    if not 2 <= len(name) <= 200:
        errors["name"] = "Type your full name to approve."
    if not agreed:
        errors["agree"] = "Tick the box to confirm you approve this quote."
    if errors:
        raise Invalid(" ".join(errors.values()), errors=errors)
    values = {
        "status": "approved",
        "approved_name": name,
        "approved_ip": (actor.ip or "")[:64] or None,
        "decided_by_contact_id": actor.id,
    }
    if not _decide(db, scope, quote, values):
        raise _refused(db, quote)
    db.refresh(quote)
    record_change(db, scope.workspace_id, "quote", quote.id, "upsert")
    quote_answered(db, quote)
    record_event(
        db,
        scope.workspace_id,
        actor,
        "portal.quote_approved",
        customer_id=scope.customer_id,
        contact_id=actor.id,
        quote_id=quote.id,
        number=quote.number,
        typed_name=name,
        total_cents=quote.total_cents,
    )
    db.commit()


def decline(db: Session, scope: Scope, quote_id: int, actor: Actor, reason: str) -> None:
    """Decline a pending quote, with an optional reason."""
    quote = _owned(db, scope, quote_id)
    if not scope.policy.allows("approve_quotes"):
        raise Conflict("Quotes cannot be answered online. Please contact us about it.")
    reason = reason.strip()
    if len(reason) > 1000:
        raise Invalid("Keep the reason under 1000 characters.", errors={"reason": "Too long."})
    values = {
        "status": "declined",
        "declined_reason": reason or None,
        "decided_by_contact_id": actor.id,
    }
    if not _decide(db, scope, quote, values):
        raise _refused(db, quote)
    db.refresh(quote)
    record_change(db, scope.workspace_id, "quote", quote.id, "upsert")
    quote_answered(db, quote)
    record_event(
        db,
        scope.workspace_id,
        actor,
        "portal.quote_declined",
        customer_id=scope.customer_id,
        contact_id=actor.id,
        quote_id=quote.id,
        number=quote.number,
        reason=reason or None,
    )
    db.commit()
