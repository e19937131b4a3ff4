"""Customer look-up for staff: the searchable, filterable list and workspace-scoped loading.

The list is keyset-paginated on ``(sort_name, id)``; the opaque cursor also carries the total
counted on the first page, so later pages cost one indexed range read and no second count.
Search splits the query into terms; every term must occur somewhere in the customer's
``search_text`` (names, emails, phones with and without punctuation, addresses). A query of
only one- and two-letter words is the start of a name being typed: it finds the customers
whose name starts with the first word (a range of the name index, so it costs the same for
"jo" as for "zq": no index of three-letter pieces can help a two-letter word, and reading
every customer's text for it took 0.2 to 0.5 s at 100,000), the other words anywhere. The
rule itself is ``server.wire.search``, shared with the console's search of its cache.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from server.db.base import UtcDateTime, utcnow
from server.db.models import Contact, Customer
from server.db.search_index import has_sqlite_fts
from server.domain.customer_summary import ROW_FIELDS, row_fields
from server.domain.errors import Invalid, NotFound
from server.wire.base import MAX_ID, has_control_characters
from server.wire.customers import PORTAL_STATUSES
from server.wire.search import SHORT, search_plan, search_terms

__all__ = ["SHORT", "list_customers", "search_terms", "status_condition"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CUSTOMER_NOT_FOUND = "There is no such customer in this workspace."
CONTACT_NOT_FOUND = "There is no such contact in this workspace."
# Only what a CustomerRow needs (in its order, see row_fields), then the sort key: not
# search_text or notes.
ROW_COLUMNS = (*(getattr(Customer, column) for column, _ in ROW_FIELDS), Customer.sort_name)
_fts_by_engine: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()
_shapes: dict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = {}


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


def name_range(prefix: str) -> tuple[str, str]:
    """The bounds of the names that start with ``prefix``, as a half-open range (names are
    compared byte by byte: SQLite's default and the C collation of PostgreSQL databases)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _filters(
    fts: bool, likes: int, status: str | None, by_name: bool = False, short: int = 0
) -> list[ColumnElement[bool]]:
    """The conditions of one shape of search; values come as bound parameters (``ws``,
    ``match``, ``name_from``, ``name_to``, ``like0``..., ``now``), so the statement is built
    once per shape. The last ``short`` of the ``likes`` are one- or two-letter terms: they
    only filter what the other conditions found (``|| ''``: a trigram index cannot answer
    them, and PostgreSQL would otherwise walk all of it for one)."""
    ws: BindParameter[int] = bindparam("ws")
    conds: list[ColumnElement[bool]] = []
    if by_name:
        conds.append(Customer.sort_name >= bindparam("name_from"))
        conds.append(Customer.sort_name < bindparam("name_to"))
    if fts:
        # Drive the query from the trigram index: the workspace test must not use its own
        # index, or SQLite walks every customer of the workspace instead (+0 prevents it).
        conds.append((Customer.workspace_id + 0) == ws)
        conds.append(
            Customer.id.in_(text("SELECT rowid FROM customer_fts WHERE customer_fts MATCH :match"))
        )
    else:
        conds.append(Customer.workspace_id == ws)
    for i in range(likes):
        text_of = Customer.search_text if i < likes - short else Customer.search_text.concat("")
        conds.append(text_of.like(bindparam(f"like{i}"), escape="\\"))
    if status is not None:
        conds.append(status_condition(status, bindparam("now", type_=UtcDateTime())))
    return conds


def _statements(
    fts: bool,
    likes: int,
    status: str | None,
    after: bool,
    sort_matches: bool,
    by_name: bool,
    short: int,
) -> tuple[Select[Any], Select[Any]]:
    """The count and the page query of one shape of search (built once, then cached)."""
    key = (fts, likes, status, after, sort_matches, by_name, short)
    if key not in _shapes:
        conds = _filters(fts, likes, status, by_name, short)
        count = select(func.count()).select_from(Customer).where(*conds)
        page = select(*ROW_COLUMNS).where(*conds)
        if after:
            start = tuple_(bindparam("after_name"), bindparam("after_id"))
            page = page.where(tuple_(Customer.sort_name, Customer.id) > start)
        order: Any = Customer.sort_name
        if sort_matches:
            # Sort the trigram index's matches instead of walking the name index until enough
            # rows match: for a surname late in the alphabet that walk reads most of the table.
            order = Customer.sort_name.concat("")
        _shapes[key] = (count, page.order_by(order, Customer.id).limit(bindparam("limit")))
    return _shapes[key]


def _encode_cursor(sort_name: str, row_id: int, count: int) -> str:
    raw = json.dumps([sort_name, row_id, count], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_name, row_id, count = json.loads(raw)
        if (
            isinstance(sort_name, str)
            and not has_control_characters(sort_name)
            and all(type(n) is int and 0 <= n <= MAX_ID for n in (row_id, count))
        ):
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
    plan = search_plan(q)  # the rule the console's own search follows too
    terms = list(plan.terms)
    params: dict[str, Any] = {"ws": workspace_id, "now": utcnow(), "limit": limit + 1}
    by_name = plan.name_start is not None
    if plan.name_start is not None:
        params["name_from"], params["name_to"] = name_range(plan.name_start)
    searching = bool(terms) and not by_name
    fts = any(len(t) >= SHORT for t in terms) and _uses_fts(session)
    if fts:
        long_terms = [t for t in terms if len(t) >= SHORT]
        params["match"] = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        terms = [t for t in terms if len(t) < SHORT]
    terms.sort(key=lambda t: len(t) < SHORT)  # long terms first, short ones filter last
    short = sum(len(t) < SHORT for t in terms)
    params.update({f"like{i}": _like(t) for i, t in enumerate(terms)})
    if cursor:
        params["after_name"], params["after_id"], count = _decode_cursor(cursor)
    conn = session.connection()
    sort_matches = searching and conn.dialect.name == "postgresql"
    counted, page = _statements(
        fts, len(terms), portal_status, bool(cursor), sort_matches, by_name, short
    )
    # Core execution on the session's connection: plain rows, no ORM result machinery.
    if not cursor:
        count = conn.execute(counted, params).scalar() or 0
    rows = conn.execute(page, params).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1].sort_name, rows[-1].id, count) if more else None
    body = {
        "data": [row_fields(r, params["now"]) for r in rows],
        "count": count,
        "next_cursor": next_cursor,
    }
    return orjson.dumps(body, option=orjson.OPT_UTC_Z)


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
