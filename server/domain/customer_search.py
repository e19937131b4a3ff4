"""The SQL of the staff customer list: one count and one page statement per shape of search.

Every value is a bound parameter (``ws``, ``match``, ``name_from``, ``name_to``,
``like0``..., ``now``, ``after_name``, ``after_id``, ``limit``, ``count_to``, ``window``),
so each shape is built once and cached. Three ways to find a page, chosen by the list
(``customers``):

- ``statements``' page: the conditions, in name order. With ``sort_matches`` (PostgreSQL)
  the trigram index's matches are sorted instead of walking the name index until enough
  rows match (for a surname late in the alphabet that walk reads most of the table).
- ``walk``: the next ``window`` customers in name order, filtered: for a word so common that
  it is found every few rows (a city, a street), reading a few thousand rows in name order
  beats reading and sorting every one of its thousands of matches (PostgreSQL took 0.2 s
  for a city's 10,000 at 100,000 customers).
- a search or status filter counts at most ``count_to`` matches: the first thousand prove
  "1,000+" as well as all ten thousand would, at a tenth of the cost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.sql.elements import BindParameter, TextClause

from server.db.base import UtcDateTime
from server.db.models import Customer
from server.domain.customer_summary import ROW_FIELDS

COUNT_CAP = 1000
# Only what a CustomerRow needs (in its order, see row_fields), then the sort key: not
# search_text or notes.
ROW_COLUMNS = (*(getattr(Customer, column) for column, _ in ROW_FIELDS), Customer.sort_name)
_shapes: dict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = {}
_walks: dict[tuple[Any, ...], Select[Any]] = {}
_dense: dict[tuple[Any, ...], Select[Any]] = {}


def status_condition(status: str, now: Any) -> ColumnElement[bool]:
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


def _now() -> BindParameter[Any]:
    return bindparam("now", type_=UtcDateTime())


def _filters(
    fts: bool, likes: int, status: str | None, by_name: bool = False, short: int = 0
) -> list[ColumnElement[bool] | TextClause]:
    """The conditions of one shape of search. The last ``short`` of the ``likes`` are one- or
    two-letter terms: they only filter what the other conditions found (``|| ''``: a trigram
    index cannot answer them, and PostgreSQL would otherwise walk all of it for one)."""
    ws: BindParameter[int] = bindparam("ws")
    conds: list[ColumnElement[bool] | TextClause] = []
    if by_name:
        conds.append(Customer.sort_name >= bindparam("name_from"))
        conds.append(Customer.sort_name < bindparam("name_to"))
    if fts:
        # Drive the query from the trigram index (joined in by ``_source``): the workspace
        # test must not use its own index, or SQLite walks every customer of the workspace
        # instead (+0 prevents it).
        conds.append((Customer.workspace_id + 0) == ws)
        conds.append(text("customer_fts MATCH :match"))
    else:
        conds.append(Customer.workspace_id == ws)
    for i in range(likes):
        text_of = Customer.search_text if i < likes - short else Customer.search_text.concat("")
        conds.append(text_of.like(bindparam(f"like{i}"), escape="\\"))
    if status is not None:
        conds.append(status_condition(status, _now()))
    return conds


# SQLite's trigram index, joined to the customers it finds: the index hands its matches over
# one by one, so a count that stops at the cap stops reading it too (as a list for ``IN``,
# every match of a word in every customer's text was read first: 0.18 s at 100,000).
_FTS = table("customer_fts", column("rowid", Integer))
_FTS_SOURCE = _FTS.join(Customer, Customer.id == _FTS.c.rowid)


def _source(fts: bool) -> Any:
    return _FTS_SOURCE if fts else Customer


def _after() -> ColumnElement[bool]:
    start = tuple_(bindparam("after_name"), bindparam("after_id"))
    return tuple_(Customer.sort_name, Customer.id) > start


def statements(
    fts: bool,
    likes: int,
    status: str | None,
    after: bool,
    sort_matches: bool,
    by_name: bool,
    short: int,
    capped: bool,
) -> tuple[Select[Any], Select[Any]]:
    """The count (up to ``count_to`` when ``capped``) and the page query of one shape."""
    key = (fts, likes, status, after, sort_matches, by_name, short, capped)
    if key not in _shapes:
        conds = _filters(fts, likes, status, by_name, short)
        source = _source(fts)
        if capped:
            matches = select(Customer.id).select_from(source).where(*conds)
            counted = matches.limit(bindparam("count_to")).subquery()
            count = select(func.count()).select_from(counted)
        else:
            count = select(func.count()).select_from(source).where(*conds)
        page = select(*ROW_COLUMNS).select_from(source).where(*conds)
        if after:
            page = page.where(_after())
        order: Any = Customer.sort_name
        if sort_matches:
            order = Customer.sort_name.concat("")  # not the name index: sort the matches
        _shapes[key] = (count, page.order_by(order, Customer.id).limit(bindparam("limit")))
    return _shapes[key]


def walk(likes: int, status: str | None, after: bool, dialect: str) -> Select[Any]:
    """The page among the next ``window`` customers in name order (of the status), for a
    word that matches every few rows. Fewer rows than asked means only that the window held
    no more: the caller then asks ``statements`` instead. Every term only filters (``||
    ''``: no trigram index, whose thousands of matches this shape is here to avoid).

    Each database gets the form it runs as one ordered read of the name index that stops at
    the page's last match: PostgreSQL filters a subquery of the window (it stops reading the
    subquery once the page is full, but plans the other form as a scan of the whole table,
    since it cannot estimate a filter on ``|| ''``); SQLite reads the whole of such a
    subquery first, so there the window is a range that ends at the name ``window`` rows on
    (one read of the name index alone)."""
    key = (likes, status, after, dialect)
    if key not in _walks:
        conds: list[ColumnElement[bool]] = [Customer.workspace_id == bindparam("ws")]
        if status is not None:
            conds.append(status_condition(status, _now()))
        if after:
            conds.append(_after())
        _walks[key] = (_walk_subquery if dialect == "postgresql" else _walk_range)(likes, conds)
    return _walks[key]


def dense_count(likes: int, status: str | None) -> Select[Any]:
    """How many of the first ``count_window`` customers in name order (of the status) match,
    up to ``count_to`` (PostgreSQL stops reading once it has counted that many)."""
    key = (likes, status)
    if key not in _dense:
        conds: list[ColumnElement[bool]] = [Customer.workspace_id == bindparam("ws")]
        if status is not None:
            conds.append(status_condition(status, _now()))
        window = (
            select(Customer.search_text)
            .where(*conds)
            .order_by(Customer.sort_name, Customer.id)
            .limit(bindparam("count_window"))
            .subquery("window")
        )
        found = select(window.c.search_text).where(*_found(window.c.search_text, likes))
        counted = found.limit(bindparam("count_to")).subquery("found")
        _dense[key] = select(func.count()).select_from(counted)
    return _dense[key]


def _found(text_of: Any, likes: int) -> list[ColumnElement[bool]]:
    return [text_of.concat("").like(bindparam(f"like{i}"), escape="\\") for i in range(likes)]


def _walk_subquery(likes: int, conds: list[ColumnElement[bool]]) -> Select[Any]:
    window = (
        select(*ROW_COLUMNS, Customer.search_text)
        .where(*conds)
        .order_by(Customer.sort_name, Customer.id)
        .limit(bindparam("window"))
        .subquery("window")
    )
    return (
        select(*(window.c[col.key] for col in ROW_COLUMNS))
        .where(*_found(window.c.search_text, likes))
        .order_by(window.c.sort_name, window.c.id)
        .limit(bindparam("limit"))
    )


def _walk_range(likes: int, conds: list[ColumnElement[bool]]) -> Select[Any]:
    last_name = (
        select(Customer.sort_name)
        .where(*conds)
        .order_by(Customer.sort_name, Customer.id)
        .offset(bindparam("window"))
        .limit(1)
        .scalar_subquery()
    )
    # Past the workspace's end there is no such name: every remaining name is in.
    end = func.coalesce(last_name, bindparam("after_every_name", type_=String))
    return (
        select(*ROW_COLUMNS)
        .where(*conds, Customer.sort_name <= end, *_found(Customer.search_text, likes))
        .order_by(Customer.sort_name, Customer.id)
        .limit(bindparam("limit"))
    )
