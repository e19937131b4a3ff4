"""Filing follow-up items: called by the domain services in the same transaction as the cause.

Every item has a ``dedupe_key`` unique in its workspace. A one-time cause (a quote approved,
a payment recorded) files its item once: running the cause again (a webhook delivered twice,
a replayed request) finds the item and leaves it. A recurring cause (a contact locked out
again, another reset asked for) brings its item back to the top and reopens it instead of
filing a second one, so the inbox holds one line per thing to do.

Each write gives the item a new version and records a ``follow_up`` change, whose ``data`` is
the item as ``FollowUpOut`` (see ``changes_compact``): the console's inbox and counts follow
the changes feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer, FollowUp
from server.domain.changes import record_change
from server.domain.changes_compact import FOLLOW_UP_COLUMNS
from server.wire.follow_up import FollowUpDetails, FollowUpOut


@dataclass
class Filing:
    """What a cause files: its kind, key, one-line title, details and record references."""

    kind: str
    key: str
    title: str
    details: FollowUpDetails
    customer_id: int | None = None
    contact_id: int | None = None
    happened_at: datetime | None = None
    refs: dict[str, int | None] = field(default_factory=dict)
    request_status: str | None = None
    # Whether a second occurrence reopens the item (True) or is the same event again (False).
    recurring: bool = False


REF_COLUMNS = ("job_id", "quote_id", "invoice_id", "payment_id", "service_request_id", "outbox_id")


def stored_details(details: FollowUpDetails) -> dict[str, Any]:
    """Details as kept in the row: JSON values, fields that are not set left out."""
    return details.model_dump(mode="json", exclude_defaults=True)


def search_text_of(item: FollowUp) -> str:
    """What the inbox's text search matches: the title and the names, lower-cased."""
    parts = (item.title, item.customer_name or "", item.contact_name or "")
    return " ".join(p for p in parts if p).lower()


def _names(
    db: Session, customer_id: int | None, contact_id: int | None
) -> tuple[str | None, str | None]:
    customer = contact = None
    if customer_id is not None:
        customer = db.scalar(select(Customer.name).where(Customer.id == customer_id))
    if contact_id is not None:
        contact = db.scalar(select(Contact.name).where(Contact.id == contact_id))
    return customer, contact


def touch(db: Session, item: FollowUp) -> None:
    """Mark an item written: a new version, its search text, and a change on the feed."""
    now = utcnow()
    item.version = (item.version or 0) + 1
    item.updated_at = now
    item.search_text = search_text_of(item)
    db.flush()
    record_change(db, item.workspace_id, "follow_up", item.id, "upsert")


def find(db: Session, workspace_id: int, key: str) -> FollowUp | None:
    """The item filed under ``key``, if any."""
    return db.scalar(
        select(FollowUp).where(FollowUp.workspace_id == workspace_id, FollowUp.dedupe_key == key)
    )


def file_item(db: Session, workspace_id: int, filing: Filing) -> FollowUp:
    """File an item for a cause in the caller's transaction (the caller commits).

    A one-time cause already filed is left as it is; a recurring one is refreshed and
    reopened. Two transactions filing the same key at once meet at the unique key: the
    insert runs in a savepoint, so the loser reads the winner's item instead of failing.
    """
    existing = find(db, workspace_id, filing.key)
    if existing is not None:
        return _again(db, existing, filing) if filing.recurring else existing
    customer_name, contact_name = _names(db, filing.customer_id, filing.contact_id)
    # A customer (or contact) deleted before the cause got here: the item is still filed,
    # marked, so what the customer did is not lost.
    gone = filing.customer_id is not None and customer_name is None
    item = FollowUp(
        workspace_id=workspace_id,
        kind=filing.kind,
        state="open",
        dedupe_key=filing.key,
        happened_at=filing.happened_at or utcnow(),
        customer_id=None if gone else filing.customer_id,
        customer_name=customer_name,
        customer_deleted=gone,
        contact_id=filing.contact_id if contact_name is not None else None,
        contact_name=contact_name,
        title=filing.title[:300],
        details=stored_details(filing.details),
        request_status=filing.request_status,
        version=0,
        **{k: v for k, v in filing.refs.items() if k in REF_COLUMNS},
    )
    try:
        with db.begin_nested():
            db.add(item)
            db.flush()
    except IntegrityError:
        winner = find(db, workspace_id, filing.key)
        if winner is None:
            raise
        return _again(db, winner, filing) if filing.recurring else winner
    touch(db, item)
    return item


def _again(db: Session, item: FollowUp, filing: Filing) -> FollowUp:
    """A recurring cause happened again: the item moves to the top, open, with new details."""
    item.happened_at = filing.happened_at or utcnow()
    item.title = filing.title[:300]
    item.details = stored_details(filing.details)
    reopen(item)
    touch(db, item)
    return item


def reopen(item: FollowUp) -> None:
    """Make a done item open again (its done note stays in the audit trail)."""
    item.state = "open"
    item.done_note = None
    item.done_by_name = None
    item.done_at = None


def update_details(db: Session, item: FollowUp, **changes: Any) -> None:
    """Merge new detail fields into an item (e.g. the customer's answer) and record it."""
    merged = FollowUpDetails.model_validate({**item.details, **changes})
    item.details = stored_details(merged)
    touch(db, item)


def item_out(item: FollowUp) -> FollowUpOut:
    """The staff view of an item (the same as its ``data`` on the changes feed)."""
    return FollowUpOut.model_validate(
        {
            **{c: getattr(item, c) for c in OUT_COLUMNS},
            "details": FollowUpDetails.model_validate(item.details or {}),
        }
    )


# The columns of the row that FollowUpOut shows as they are (details aside).
OUT_COLUMNS = tuple(c for c in FOLLOW_UP_COLUMNS if c != "details")


def customer_deleting(db: Session, workspace_id: int, customer_id: int) -> None:
    """A customer is about to be deleted: its items stay, marked, with the names they had."""
    items = db.scalars(
        select(FollowUp).where(
            FollowUp.workspace_id == workspace_id, FollowUp.customer_id == customer_id
        )
    ).all()
    for item in items:
        item.customer_deleted = True
        item.customer_id = None
        item.contact_id = None
        touch(db, item)


def contact_deleting(db: Session, workspace_id: int, contact_id: int) -> None:
    """A contact is about to be deleted: its items keep the name, and lose the link."""
    items = db.scalars(
        select(FollowUp).where(
            FollowUp.workspace_id == workspace_id, FollowUp.contact_id == contact_id
        )
    ).all()
    for item in items:
        item.contact_id = None
        touch(db, item)
