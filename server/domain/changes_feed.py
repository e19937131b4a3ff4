"""Reading the change log: pages of the feed, pre-encoded, and pruning old tombstones.

A page is one indexed range scan of ``change`` plus, per entity present in the page, one
query joining ``change`` to that entity's table over the same sequence range (no N+1, no
long ``IN`` lists). Rows become plain dicts and the page is encoded once with orjson.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from server.db.base import utcnow
from server.db.models import (
    Change,
    Contact,
    Customer,
    Document,
    Invoice,
    Job,
    Payment,
    Photo,
    PortalAccount,
    Quote,
    ServiceRequest,
    StaffUser,
    Workspace,
)
from server.domain.customer_summary import portal_status
from server.domain.errors import Gone

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
ENCODE = orjson.OPT_UTC_Z

_WORKSPACE_COLS = (
    Workspace.id,
    Workspace.slug,
    Workspace.name,
    Workspace.portal_status,
    Workspace.version,
    Workspace.branding_version,
    Workspace.visibility_version,
    Workspace.permissions_version,
)

# entity -> (model, columns of its compact form). Customers are built by _customer_data.
COMPACT: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "customer": (
        Customer,
        (
            Customer.id,
            Customer.external_id,
            Customer.name,
            Customer.kind,
            Customer.phone,
            Customer.address_line,
            Customer.primary_contact_id,
            Customer.primary_contact_name,
            Customer.primary_email,
            Customer.access_status,
            Customer.access_invite_expires_at,
            Customer.access_locked_until,
            Customer.last_sign_in_at,
            Customer.version,
            Customer.updated_at,
        ),
    ),
    "contact": (
        Contact,
        (
            Contact.id,
            Contact.customer_id,
            Contact.external_id,
            Contact.name,
            Contact.email,
            Contact.phone,
            Contact.role,
            Contact.is_primary,
            Contact.version,
            Contact.updated_at,
        ),
    ),
    "portal_account": (
        PortalAccount,
        (
            PortalAccount.id,
            PortalAccount.contact_id,
            PortalAccount.customer_id,
            PortalAccount.email_normalized.label("email"),
            PortalAccount.status,
            PortalAccount.failed_attempts,
            PortalAccount.locked_until,
            PortalAccount.last_sign_in_at,
            PortalAccount.disabled_at,
            PortalAccount.updated_at,
        ),
    ),
    "job": (
        Job,
        (
            Job.id,
            Job.customer_id,
            Job.external_id,
            Job.number,
            Job.title,
            Job.internal_status,
            Job.technician_name,
            Job.scheduled_start,
            Job.scheduled_end,
            Job.completed_at,
            Job.source,
            Job.updated_at,
        ),
    ),
    "quote": (
        Quote,
        (
            Quote.id,
            Quote.customer_id,
            Quote.job_id,
            Quote.external_id,
            Quote.number,
            Quote.title,
            Quote.status,
            Quote.currency,
            Quote.total_cents,
            Quote.issued_at,
            Quote.expires_at,
            Quote.decided_at,
            Quote.updated_at,
        ),
    ),
    "invoice": (
        Invoice,
        (
            Invoice.id,
            Invoice.customer_id,
            Invoice.job_id,
            Invoice.external_id,
            Invoice.number,
            Invoice.status,
            Invoice.currency,
            Invoice.total_cents,
            Invoice.balance_cents,
            Invoice.issued_at,
            Invoice.due_at,
            Invoice.version,
            Invoice.updated_at,
        ),
    ),
    "payment": (
        Payment,
        (
            Payment.id,
            Payment.invoice_id,
            Payment.customer_id,
            Payment.amount_cents,
            Payment.currency,
            Payment.method,
            Payment.provider,
            Payment.status,
            Payment.receipt_number,
            Payment.paid_at,
        ),
    ),
    "service_request": (
        ServiceRequest,
        (
            ServiceRequest.id,
            ServiceRequest.customer_id,
            ServiceRequest.contact_id,
            ServiceRequest.description,
            ServiceRequest.preferred_times,
            ServiceRequest.status,
            ServiceRequest.job_id,
            ServiceRequest.created_at,
        ),
    ),
    "document": (
        Document,
        (
            Document.id,
            Document.customer_id,
            Document.job_id,
            Document.external_id,
            Document.title,
            Document.filename,
            Document.review_status,
            Document.created_at,
        ),
    ),
    "photo": (
        Photo,
        (
            Photo.id,
            Photo.customer_id,
            Photo.job_id,
            Photo.service_request_id,
            Photo.external_id,
            Photo.caption,
            Photo.review_status,
            Photo.taken_at,
            Photo.created_at,
        ),
    ),
    "workspace": (Workspace, _WORKSPACE_COLS),
    "branding": (Workspace, _WORKSPACE_COLS),
    "visibility": (Workspace, _WORKSPACE_COLS),
    "team": (
        StaffUser,
        (StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.role, StaffUser.is_active),
    ),
}


def _customer_data(now: datetime) -> Callable[[Any], dict[str, Any]]:
    """The same fields and values as ``customer_row`` (a test holds them equal)."""

    def build(r: Any) -> dict[str, Any]:
        return {
            "id": r.id,
            "external_id": r.external_id,
            "name": r.name,
            "kind": r.kind,
            "phone": r.phone,
            "address": r.address_line,
            "primary_contact_id": r.primary_contact_id,
            "primary_contact_name": r.primary_contact_name,
            "primary_email": r.primary_email,
            # The row has the attributes portal_status reads; one rule, not a copy of it.
            "portal_status": portal_status(cast(Customer, r), now),
            "invite_expires_at": r.access_invite_expires_at,
            "locked_until": r.access_locked_until,
            "last_sign_in_at": r.last_sign_in_at,
            "version": r.version,
            "updated_at": r.updated_at,
        }

    return build


def _load(
    session: Session,
    workspace_id: int,
    entity: str,
    since: int,
    last: int,
    ids: list[int] | None = None,
) -> dict[int, dict[str, Any]]:
    """The current form of the ``entity`` records that changed in (since, last], or of ``ids``."""
    model, cols = COMPACT[entity]
    scope: ColumnElement[bool] = (
        model.id == workspace_id if model is Workspace else model.workspace_id == workspace_id
    )
    if ids is not None:
        query = select(*cols).where(model.id.in_(ids), scope)
    else:
        query = (
            select(*cols)
            .join(Change, and_(Change.entity_id == model.id, Change.entity == entity))
            .where(
                Change.workspace_id == workspace_id,
                Change.seq > since,
                Change.seq <= last,
                Change.op == "upsert",
                scope,
            )
        )
    rows = session.execute(query)
    if entity == "customer":
        build = _customer_data(utcnow())
        return {r.id: build(r) for r in rows}
    return {r.id: r._asdict() for r in rows}


def check_cursor(workspace: Workspace, since: int) -> None:
    """410 when tombstones after ``since`` were already pruned (0 always works)."""
    if since != 0 and since < workspace.changes_horizon:
        raise Gone(
            "This sync position is too old: deleted records from that time are no longer "
            "kept. Clear the local copy and sync again from the start (since=0)."
        )


def read_changes(session: Session, workspace: Workspace, since: int, limit: int) -> bytes:
    """One page of the feed after ``since``, as the JSON of a ``ChangesPage``.

    An upsert whose record is already gone (deleted later in a transaction not yet seen)
    is reported as a delete; its own tombstone follows with a higher sequence.
    """
    check_cursor(workspace, since)
    rows = session.execute(
        select(Change.seq, Change.entity, Change.entity_id, Change.op)
        .where(Change.workspace_id == workspace.id, Change.seq > since)
        .order_by(Change.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else since
    wanted = {entity for _, entity, _, op in rows if op == "upsert" and entity in COMPACT}
    found = {e: _load(session, workspace.id, e, since, last) for e in wanted}
    # A record written again since the page was read has a newer sequence and is missed by
    # the range join; look those few up by id, so only a real delete reads as one.
    missed: dict[str, list[int]] = {}
    for _, entity, entity_id, op in rows:
        if op == "upsert" and entity in wanted and entity_id not in found[entity]:
            missed.setdefault(entity, []).append(entity_id)
    for entity, ids in missed.items():
        found[entity].update(_load(session, workspace.id, entity, since, last, ids))
    data = []
    for seq, entity, entity_id, op in rows:
        record = found.get(entity, {}).get(entity_id) if op == "upsert" else None
        if op == "upsert" and record is None and entity in COMPACT:
            op = "delete"
        data.append({"seq": seq, "entity": entity, "id": entity_id, "op": op, "data": record})
    page = {"data": data, "count": len(data), "next_cursor": str(last), "has_more": has_more}
    return orjson.dumps(page, option=ENCODE)


def prune_tombstones(session: Session, older_than: datetime) -> int:
    """Delete delete-tombstones older than ``older_than``; raise each workspace's horizon.

    A client whose cursor is below the newest pruned tombstone may have missed a delete, so
    it gets 410 and starts again from 0. Returns how many tombstones were removed.
    """
    old = and_(Change.op == "delete", Change.changed_at < older_than)
    tops = session.execute(
        select(Change.workspace_id, func.max(Change.seq)).where(old).group_by(Change.workspace_id)
    ).all()
    removed = 0
    for workspace_id, top in tops:
        session.execute(
            update(Workspace)
            .where(Workspace.id == workspace_id, Workspace.changes_horizon < top)
            .values(changes_horizon=top)
        )
        result = session.execute(
            delete(Change).where(old, Change.workspace_id == workspace_id, Change.seq <= top)
        )
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
