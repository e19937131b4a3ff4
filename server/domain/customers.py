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
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, Customer
from server.db.plans import planned_with_values
from server.db.search_index import has_sqlite_fts
from server.domain import customer_search as sql
from server.domain.customer_summary import row_fields
from server.domain.errors import Invalid, NotFound
from server.wire.base import MAX_ID, has_control_characters
from server.wire.customers import PORTAL_STATUSES
from server.wire.search import SHORT, search_plan, search_terms

__all__ = ["SHORT", "list_customers", "search_terms"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CUSTOMER_NOT_FOUND = "There is no such customer in this workspace."
CONTACT_NOT_FOUND = "There is no such contact in this workspace."
_fts_by_engine: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()
INDEXED = 8  # letters of a long term looked up in the trigram index
# Sorts after every name (the highest code point): a walk's end past the last customer.
AFTER_EVERY_NAME = "\U0010ffff"
# Rows in name order a page of a very common word reads at most (per row asked) before the
# list sorts that word's matches instead: enough for a word found once in a hundred rows.
WALK_ROWS_PER_ROW = 100
# Rows in name order (per row asked) where PostgreSQL first looks for a page, to tell a word
# in one customer's text of ten from a rarer one.
PROBE_ROWS_PER_ROW = 10
# Rows in name order a count of a common word reads at most (PostgreSQL), before it asks the
# trigram index instead: enough for a word in one customer's text of twenty.
DENSE_COUNT_ROWS = 20_000


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
    """One page of customers in name order, with how many match (a search or filter counts
    up to ``COUNT_CAP``, then says "more"), as the JSON of a ``CustomerPage`` (encoded here:
    a model per row only to encode it costs more than the query of a typical search)."""
    if portal_status is not None and portal_status not in PORTAL_STATUSES:
        problem = f"Use one of: {', '.join(PORTAL_STATUSES)}."
        raise Invalid(problem, errors={"portal_status": problem})
    plan = search_plan(q)  # the rule the console's own search follows too
    terms = list(plan.terms)
    capped = bool(terms) or plan.name_start is not None or portal_status is not None
    params: dict[str, Any] = {"ws": workspace_id, "now": utcnow(), "limit": limit + 1}
    params["count_to"] = sql.COUNT_CAP + 1
    by_name = plan.name_start is not None
    if plan.name_start is not None:
        params["name_from"], params["name_to"] = name_range(plan.name_start)
    searching = bool(terms) and not by_name
    everything = list(terms)  # every term, for a walk in name order
    long_terms = [t for t in terms if len(t) >= SHORT]
    # An index looks up a long word by its first letters, and the whole word then filters
    # what it found: the rest of a pasted email address ("@example.com") is in every other
    # customer's text, and reading the index for it cost more than the rest of the search.
    keys = list(dict.fromkeys(t[:INDEXED] for t in long_terms))
    checks = [t for t in long_terms if len(t) > INDEXED] + [t for t in terms if len(t) < SHORT]
    fts = bool(keys) and _uses_fts(session)
    if fts:
        params["match"] = " AND ".join('"' + t.replace('"', '""') + '"' for t in keys)
        keys = []
    likes = keys + checks  # the checks only filter what the index (or the name range) found
    params.update({f"like{i}": _like(t) for i, t in enumerate(likes)})
    if cursor:
        params["after_name"], params["after_id"], count = _decode_cursor(cursor)
    conn = session.connection()
    sort_matches = searching and conn.dialect.name == "postgresql"
    counted, page = sql.statements(
        fts, len(likes), portal_status, bool(cursor), sort_matches, by_name, len(checks), capped
    )
    # Core execution on the session's connection: plain rows, no ORM result machinery.
    walked: dict[str, Any] = {f"like{i}": _like(t) for i, t in enumerate(everything)}
    walked["window"] = WALK_ROWS_PER_ROW * (limit + 1)
    walked["after_every_name"] = AFTER_EVERY_NAME
    walked["count_window"] = DENSE_COUNT_ROWS
    walk = sql.walk(len(everything), portal_status, bool(cursor), conn.dialect.name)
    with planned_with_values(conn):  # not one plan for any word: see server.db.plans
        rows: Sequence[Row[Any]] = ()
        if not cursor and sort_matches:
            # PostgreSQL's trigram index reads every entry of a word found in most customers'
            # text (0.2 s for an email domain at 100,000) even to count a thousand of them. So a
            # page is first looked for in a few rows in name order; when one is found there, the
            # word is common, and the next rows in name order may hold the thousand the count
            # needs. A rarer word costs the look at those few rows.
            probe = {**params, **walked, "window": PROBE_ROWS_PER_ROW * (limit + 1)}
            rows = conn.execute(walk, probe).all()
            if len(rows) > limit:
                dense = sql.dense_count(len(everything), portal_status)
                count = conn.execute(dense, {**params, **walked}).scalar() or 0
        if not cursor and not (len(rows) > limit and count > sql.COUNT_CAP):
            count = conn.execute(counted, params).scalar() or 0
        more_than_cap = capped and count > sql.COUNT_CAP
        if searching and more_than_cap and len(rows) <= limit:
            # A word this common is found every few rows: read the next rows in name order.
            rows = conn.execute(walk, {**params, **walked}).all()
        if len(rows) <= limit:  # not walked, or the window held too few (a word's rows cluster)
            rows = conn.execute(page, params).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1].sort_name, rows[-1].id, count) if more else None
    body = {
        "data": [row_fields(r, params["now"]) for r in rows],
        "count": min(count, sql.COUNT_CAP) if capped else count,
        "count_capped": more_than_cap,
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
