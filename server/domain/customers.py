"""Customer look-up for staff: the searchable, filterable list and workspace-scoped loading.

The list is keyset-paginated on ``(sort_name, id)``; the opaque cursor also carries the total
counted on the first page, so later pages cost one indexed range read and no second count.
Search splits the query into terms; every term must occur somewhere in the customer's
``search_text`` (names, emails, phones with and without punctuation, addresses).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any, cast
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, text, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from server.db.base import utcnow
from server.db.models import Contact, Customer
from server.db.search_index import has_sqlite_fts
from server.domain.customer_summary import customer_row_fields
from server.domain.errors import Invalid, NotFound
from server.wire.customers import PORTAL_STATUSES

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TERMS = 8
CUSTOMER_NOT_FOUND = "There is no such customer in this workspace."
CONTACT_NOT_FOUND = "There is no such contact in this workspace."
_PHONEISH = re.compile(r"^[0-9()+\-. ]*[0-9][0-9()+\-. ]*$")
# Only what a CustomerRow needs: not search_text or notes.
ROW_COLUMNS = (
    Customer.id,
    Customer.external_id,
    Customer.name,
    Customer.sort_name,
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
)
_fts_by_engine: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def search_terms(q: str | None) -> list[str]:
    """The terms of a search: lower-cased words; phone-like words reduced to their digits."""
    terms: list[str] = []
    for word in (q or "").lower().split()[:MAX_TERMS]:
        if _PHONEISH.match(word) and not word.isdigit():
            word = "".join(ch for ch in word if ch.isdigit())
        if word and word not in terms:
            terms.append(word)
    return terms


def status_condition(status: str, now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """SQL for one portal status, the same rule as ``customer_summary.portal_status``."""
    s, expires, locked = (
        Customer.access_status,
        Customer.access_invite_expires_at,
        Customer.access_locked_until,
    )
    if status == "invited":
        return and_(s == "invited", expires > now)
    if status == "invite_expired":
        return and_(s == "invited", or_(expires.is_(None), expires <= now))
    if status == "active":
        return and_(s == "active", or_(locked.is_(None), locked <= now))
    if status == "locked":
        return and_(s == "active", locked > now)
    return s == status


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _uses_fts(session: Session) -> bool:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name != "sqlite":
        return False
    if engine not in _fts_by_engine:
        _fts_by_engine[engine] = has_sqlite_fts(session.connection())
    return _fts_by_engine[engine]


def _filters(
    session: Session, workspace_id: int, terms: list[str], status: str | None, now: datetime
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    long_terms = [t for t in terms if len(t) >= 3]
    if long_terms and _uses_fts(session):
        # Drive the query from the trigram index: the workspace test must not use its own
        # index, or SQLite walks every customer of the workspace instead (+0 prevents it).
        conds.append((Customer.workspace_id + 0) == workspace_id)
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        conds.append(
            Customer.id.in_(
                text("SELECT rowid FROM customer_fts WHERE customer_fts MATCH :match").bindparams(
                    match=match
                )
            )
        )
        terms = [t for t in terms if len(t) < 3]
    else:
        conds.append(Customer.workspace_id == workspace_id)
    conds += [Customer.search_text.like(_like(t), escape="\\") for t in terms]
    if status is not None:
        conds.append(status_condition(status, now))
    return conds


def _encode_cursor(sort_name: str, row_id: int, count: int) -> str:
    raw = json.dumps([sort_name, row_id, count], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_name, row_id, count = json.loads(raw)
        if isinstance(sort_name, str) and isinstance(row_id, int) and isinstance(count, int):
            return sort_name, row_id, count
    except (binascii.Error, ValueError, TypeError):
        pass
    problem = "This cursor is not one this list handed out. Start again from the first page."
    raise Invalid(problem, errors={"cursor": problem})


def list_customers(
    session: Session,
    workspace_id: int,
    *,
    q: str | None = None,
    portal_status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> bytes:
    """One page of customers in name order, with the total number that match, as the JSON
    of a ``Page[CustomerRow]`` (encoded here: a model per row only to encode it costs more
    than the query of a typical search)."""
    if portal_status is not None and portal_status not in PORTAL_STATUSES:
        problem = f"Use one of: {', '.join(PORTAL_STATUSES)}."
        raise Invalid(problem, errors={"portal_status": problem})
    now = utcnow()
    terms = search_terms(q)
    conds = _filters(session, workspace_id, terms, portal_status, now)
    stmt = select(*ROW_COLUMNS).where(*conds)
    # Core execution on the session's connection: plain rows, no ORM result machinery.
    conn = session.connection()
    if cursor:
        after_name, after_id, count = _decode_cursor(cursor)
        stmt = stmt.where(tuple_(Customer.sort_name, Customer.id) > tuple_(after_name, after_id))
    else:
        counted = select(func.count()).select_from(Customer).where(*conds)
        count = conn.execute(counted).scalar() or 0
    order: Any = Customer.sort_name
    if terms and conn.dialect.name == "postgresql":
        # Sort the trigram index's matches instead of walking the name index until enough
        # rows match: for a surname late in the alphabet that walk reads most of the table.
        order = Customer.sort_name.concat("")
    rows = conn.execute(stmt.order_by(order, Customer.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1].sort_name, rows[-1].id, count) if more else None
    page = {
        # Rows carry the attributes customer_row_fields reads; whole entities cost double.
        "data": [customer_row_fields(cast(Customer, r), now) for r in rows],
        "count": count,
        "next_cursor": next_cursor,
    }
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)


def customer_in_workspace(session: Session, workspace_id: int, customer_id: int) -> Customer:
    """A customer of this workspace, or NotFound (another workspace's looks the same)."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        raise NotFound(CUSTOMER_NOT_FOUND)
    return customer


def contact_in_workspace(
    session: Session, workspace_id: int, contact_id: int, *, for_update: bool = False
) -> Contact:
    """A contact of this workspace, or NotFound; optionally locked for a write."""
    stmt = select(Contact).where(Contact.id == contact_id, Contact.workspace_id == workspace_id)
    if for_update:
        stmt = stmt.with_for_update()
    contact = session.scalar(stmt)
    if contact is None:
        raise NotFound(CONTACT_NOT_FOUND)
    return contact
