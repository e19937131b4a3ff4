"""Many follow-up items at once, for benchmarks and a busy-looking demo inbox.

``seed_follow_ups(session, workspace_id, 100_000)`` writes items of every kind about the
workspace's own customers and contacts (and staff, as assignees), spread over the last
``days`` days, with their changes on the feed, in a few seconds on either database. The
caller commits. Items are not tied to real quotes or invoices: they are for volume.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import String, bindparam, literal, select, text
from sqlalchemy.orm import Session

from server.db.base import Base, UtcDateTime, utcnow
from server.db.models import Contact, Customer, FollowUp, StaffUser
from server.demo.bulk import IdPool, write_rows
from server.domain.follow_up import stored_details
from server.wire.follow_up import FollowUpDetails

BATCH = 5000
_KIND_WEIGHTS = {
    "quote_approved": 20,
    "quote_declined": 8,
    "invoice_paid": 35,
    "service_request": 15,
    "sign_in_trouble": 12,
    "refund_needed": 2,
    "mail_failed": 8,
}
_REQUESTS = (
    "The kitchen tap drips all night",
    "Boiler makes a banging noise when the heating starts",
    "Please service the air conditioning before summer",
    "Water stain spreading on the bathroom ceiling",
    "Outdoor light by the garage stopped working",
)
_TROUBLE = ("locked", "expired_invite_clicked", "reset_requested")


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _item(rng: random.Random, kind: str, n: int, who: str) -> tuple[str, FollowUpDetails]:
    amount = rng.randrange(80_00, 4_800_00, 5)
    if kind == "quote_approved":
        title = f"Quote Q-{n} approved by {who} ({_dollars(amount)})"
        return title, FollowUpDetails(
            quote_number=f"Q-{n}", typed_name=who, amount_cents=amount, currency="USD"
        )
    if kind == "quote_declined":
        reason = rng.choice(("Too expensive", "Went with another company", "Not needed now"))
        title = f"Quote Q-{n} declined by {who}: {reason}"
        return title, FollowUpDetails(quote_number=f"Q-{n}", reason=reason, amount_cents=amount)
    if kind in ("invoice_paid", "refund_needed"):
        receipt = f"R-{n:06d}"
        details = FollowUpDetails(
            invoice_number=f"INV-{n}",
            amount_cents=amount,
            currency="USD",
            method="card",
            receipt_number=receipt,
        )
        if kind == "refund_needed":
            return f"Refund {_dollars(amount)} to {who}: INV-{n} was already paid", details
        return f"Invoice INV-{n} paid by {who} ({_dollars(amount)}, receipt {receipt})", details
    if kind == "service_request":
        text = rng.choice(_REQUESTS)
        title = f"Service requested by {who}: {text}"
        return title, FollowUpDetails(
            description=text, preferred_times="Weekday mornings", job_number=f"REQ-{n}"
        )
    if kind == "sign_in_trouble":
        trouble = rng.choice(_TROUBLE)
        words = {
            "locked": "is locked out after wrong passwords",
            "expired_invite_clicked": "clicked an expired invite",
            "reset_requested": "asked for a password reset",
        }[trouble]
        return f"{who} {words}", FollowUpDetails(trouble=trouble)
    title = f"Email to {who} could not be sent"
    return title, FollowUpDetails(error="550 Mailbox unavailable", attempts=5, email_kind="invite")


def seed_follow_ups(
    session: Session, workspace_id: int, count: int, *, days: int = 180, seed: int = 15
) -> int:
    """Write ``count`` follow-up items (about a third open) with their changes; returns count."""
    rng = random.Random(seed)
    people = session.execute(
        select(Contact.customer_id, Contact.id, Contact.name)
        .where(Contact.workspace_id == workspace_id)
        .limit(5000)
    ).all()
    if not people:
        raise ValueError("The workspace has no contacts to file follow-up items about.")
    customers: dict[int, str] = {
        cid: name
        for cid, name in session.execute(
            select(Customer.id, Customer.name).where(Customer.workspace_id == workspace_id)
        )
    }
    staff = session.execute(
        select(StaffUser.id, StaffUser.name).where(StaffUser.workspace_id == workspace_id)
    ).all()
    ids = IdPool(session)
    kinds, weights = list(_KIND_WEIGHTS), list(_KIND_WEIGHTS.values())
    now = utcnow()
    first_id: int | None = None
    rows: list[dict[str, Any]] = []
    table = Base.metadata.tables["follow_up"]
    for i in range(count):
        kind = rng.choices(kinds, weights)[0]
        customer_id, contact_id, contact_name = rng.choice(people)
        customer_name = customers.get(customer_id)
        row_id = ids.take("follow_up")
        first_id = row_id if first_id is None else first_id
        title, details = _item(rng, kind, 1000 + i, contact_name)
        happened = now - timedelta(seconds=rng.uniform(0, days * 86400))
        done = rng.random() < 0.65
        holder = rng.choice(staff) if staff and rng.random() < 0.5 else None
        rows.append(
            {
                "id": row_id,
                "workspace_id": workspace_id,
                "kind": kind,
                "state": "done" if done else "open",
                "dedupe_key": f"seed:{seed}:{row_id}",
                "happened_at": happened,
                "customer_id": customer_id,
                "customer_name": customer_name,
                "customer_deleted": False,
                "contact_id": contact_id,
                "contact_name": contact_name,
                "title": title,
                "details": stored_details(details),
                "search_text": f"{title} {customer_name or ''} {contact_name}".lower(),
                "request_status": "requested" if kind == "service_request" else None,
                "assignee_id": holder[0] if holder else None,
                "assignee_name": holder[1] if holder else None,
                "assigned_at": happened if holder else None,
                "done_note": "Called the customer" if done else None,
                "done_by_name": (holder[1] if holder else "Office") if done else None,
                "done_at": happened + timedelta(hours=2) if done else None,
                "updated_at": happened,
                "version": 1,
            }
        )
        if len(rows) >= BATCH:
            write_rows(session.connection(), table, rows)
            rows = []
    if rows:
        write_rows(session.connection(), table, rows)
    if first_id is not None:
        _record_changes(session, workspace_id, first_id)
    # Fresh statistics, so both planners see the inbox's real shape at once.
    session.execute(text("ANALYZE follow_up"))
    return count


def _record_changes(session: Session, workspace_id: int, first_id: int) -> None:
    """One change per seeded item, in id order, done in the database."""
    change = Base.metadata.tables["change"]
    query = (
        select(
            FollowUp.workspace_id,
            literal("follow_up", String()),
            FollowUp.id,
            literal("upsert", String()),
            FollowUp.customer_id,
            bindparam("at", utcnow(), type_=UtcDateTime()),
        )
        .where(FollowUp.workspace_id == workspace_id, FollowUp.id >= first_id)
        .order_by(FollowUp.id)
    )
    session.execute(
        change.insert().from_select(
            ["workspace_id", "entity", "entity_id", "op", "customer_id", "changed_at"], query
        )
    )
