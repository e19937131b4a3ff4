"""Reading the follow-up inbox: filtered pages newest first, counts per kind, one item.

Every filter the console offers walks one index in list order (``ix_follow_up_ws_*``), and
the count of a filter is a range of the same index. Text search matches words of three
letters or more through a trigram index (``server.db.follow_up_search_index``); shorter
words only narrow such a search. At 100,000 items each answer takes milliseconds, a very
common word tens of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from server.db.follow_up_search_index import has_follow_up_fts
from server.db.models import FollowUp
from server.domain.errors import Invalid, NotFound
from server.domain.follow_up import item_out
from server.domain.ids import parse_row_number
from server.wire.follow_up import FollowUpCounts, FollowUpPage
from server.wire.follow_up_kinds import FOLLOW_UP_KINDS

GONE = "That follow-up item is not in this workspace."
_BAD_CURSOR = "The cursor must be a value returned as next_cursor."


@dataclass(frozen=True)
class InboxFilter:
    """The inbox's filters; ``assignee`` is a staff id, ``"me"`` or ``"none"``."""

    kinds: tuple[str, ...] = ()
    state: str | None = None
    assignee: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    customer_id: int | None = None


def _assignee_condition(assignee: str, me: int) -> object:
    if assignee == "me":
        return FollowUp.assignee_id == me
    if assignee == "none":
        return FollowUp.assignee_id.is_(None)
    number = parse_row_number(assignee)
    if number is None or number == 0:
        message = "Give a staff member's id, 'me' or 'none'."
        raise Invalid(message, errors={"assignee": message})
    return FollowUp.assignee_id == number


def _fts(db: Session) -> bool:
    """Whether this is SQLite with the follow-up trigram table (checked once per engine)."""
    engine = db.get_bind()
    if engine.dialect.name != "sqlite":
        return False
    if engine not in _fts_by_engine:
        _fts_by_engine[engine] = has_follow_up_fts(db.connection())
    return _fts_by_engine[engine]


_fts_by_engine: dict[object, bool] = {}
# Shorter words than a trigram cannot be looked up in the trigram index: they only filter.
SHORT = 3


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# A search for a word this common (more trigram-index matches than this) walks the list in
# order instead, and its count stops at COUNT_CAP ("1,000 or more").
COMMON = 10_000
COUNT_CAP = 1000
_FTS_HITS = text(
    "SELECT count(*) FROM (SELECT rowid FROM follow_up_fts WHERE follow_up_fts MATCH :m LIMIT :cap)"
)


def _text_conditions(db: Session, workspace_id: int, q: str | None) -> tuple[list[Any], bool]:
    """The workspace and text conditions, and whether the count stops at ``COUNT_CAP``
    (every text search's does, on both databases alike).

    On SQLite the trigram index says first how common the words are. Matches of rarer words
    are looked up there and sorted (a few thousand at most); a very common word is found by
    walking the list in its order, which meets a page of matches at once, and its count stops
    at ``COUNT_CAP`` (counting all of them would read most of the table). PostgreSQL's planner
    makes that choice itself from its trigram index; its count stops at the cap too.
    """
    words = list(dict.fromkeys((q or "").lower().split()))[:8]
    indexed = [w for w in words if len(w) >= SHORT]
    if not indexed:
        # One or two letters alone would read every item's text (0.8 s at 100,000): they
        # only narrow a search that has a longer word.
        return [FollowUp.workspace_id == workspace_id], False
    likes = [FollowUp.search_text.like(_like(w), escape="\\") for w in words]
    if not _fts(db):
        # PostgreSQL (or an SQLite without the index): the planner picks the trigram index
        # or the list order; the count stops at the cap, so a common word reads no more
        # than its first matches.
        return [FollowUp.workspace_id == workspace_id, *likes], True
    match = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
    hits = db.execute(_FTS_HITS, {"m": match, "cap": COMMON + 1}).scalar() or 0
    if hits > COMMON:
        return [FollowUp.workspace_id == workspace_id, *likes], True
    found = text("SELECT rowid FROM follow_up_fts WHERE follow_up_fts MATCH :fu_match")
    short = [like for w, like in zip(words, likes, strict=True) if len(w) < SHORT]
    # "+ 0" keeps SQLite from walking the workspace's index instead.
    return [
        FollowUp.workspace_id + 0 == workspace_id,
        FollowUp.id.in_(found.bindparams(fu_match=match)),
        *short,
    ], True


def _conditions(db: Session, workspace_id: int, f: InboxFilter, me: int) -> tuple[list[Any], bool]:
    conds, capped = _text_conditions(db, workspace_id, f.q)
    if f.kinds:
        conds.append(FollowUp.kind.in_(f.kinds))
    if f.state is not None:
        conds.append(FollowUp.state == f.state)
    if f.assignee is not None:
        conds.append(_assignee_condition(f.assignee, me))
    if f.since is not None:
        conds.append(FollowUp.happened_at >= f.since)
    if f.until is not None:
        conds.append(FollowUp.happened_at < f.until)
    if f.customer_id is not None:
        conds.append(FollowUp.customer_id == f.customer_id)
    return conds, capped


def _cursor_text(item: FollowUp) -> str:
    micros = int(item.happened_at.timestamp() * 1_000_000)
    return f"{micros}.{item.id}"


def _parse_cursor(text: str) -> tuple[datetime, int]:
    head, dot, tail = text.strip().partition(".")
    micros, row = parse_row_number(head), parse_row_number(tail)
    if not dot or micros is None or row is None or micros > 253_402_300_799_000_000:
        raise Invalid(_BAD_CURSOR, errors={"cursor": _BAD_CURSOR})
    return datetime.fromtimestamp(micros / 1_000_000, UTC), row


def list_items(
    db: Session, workspace_id: int, me: int, f: InboxFilter, limit: int, cursor: str | None
) -> FollowUpPage:
    """One page, newest first; ``count`` is how many items match the filters in all."""
    if f.since and f.until and f.since >= f.until:
        message = "The start of the range must be before its end."
        raise Invalid(message, errors={"since": message})
    conds, capped = _conditions(db, workspace_id, f, me)
    # Counted on the conditions alone, so the database can answer from an index.
    counting = select(FollowUp.id).where(*conds)
    if capped:
        counting = counting.limit(COUNT_CAP + 1)
    count = db.scalar(select(func.count()).select_from(counting.subquery())) or 0
    query = select(FollowUp).where(*conds)
    if cursor is not None:
        at, row = _parse_cursor(cursor)
        query = query.where(
            or_(FollowUp.happened_at < at, and_(FollowUp.happened_at == at, FollowUp.id < row))
        )
    rows = list(
        db.scalars(query.order_by(FollowUp.happened_at.desc(), FollowUp.id.desc()).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return FollowUpPage(
        data=[item_out(r) for r in rows],
        count=min(count, COUNT_CAP) if capped else count,
        count_capped=capped and count > COUNT_CAP,
        next_cursor=_cursor_text(rows[-1]) if more else None,
    )


def counts(db: Session, workspace_id: int, me: int) -> FollowUpCounts:
    """Open items per kind (every kind named), in all, assigned to ``me`` and to nobody."""
    open_items = and_(FollowUp.workspace_id == workspace_id, FollowUp.state == "open")
    by_kind = dict.fromkeys(FOLLOW_UP_KINDS, 0)
    for kind, n in db.execute(
        select(FollowUp.kind, func.count()).where(open_items).group_by(FollowUp.kind)
    ):
        if kind in by_kind:
            by_kind[kind] = n
    # Each a range of ix_follow_up_ws_assignee (one query with two filtered counts would
    # read every open item's row).
    mine = db.scalar(select(func.count(FollowUp.id)).where(open_items, FollowUp.assignee_id == me))
    nobody = db.scalar(
        select(func.count(FollowUp.id)).where(open_items, FollowUp.assignee_id.is_(None))
    )
    return FollowUpCounts(
        open_by_kind=by_kind,
        open_total=sum(by_kind.values()),
        assigned_to_me=mine or 0,
        unassigned=nobody or 0,
    )


def get_item(db: Session, workspace_id: int, item_id: int, *, lock: bool = False) -> FollowUp:
    """One item of the workspace (under a row lock for a write); 404 otherwise."""
    query = select(FollowUp).where(FollowUp.id == item_id, FollowUp.workspace_id == workspace_id)
    if lock:
        query = query.with_for_update()
    item = db.scalar(query)
    if item is None:
        raise NotFound(GONE)
    return item
