"""Reading the follow-up inbox: filtered pages newest first, counts per kind, one item.

Every filter the console offers walks one index in list order (``ix_follow_up_ws_*``), so a
page of 50 out of 100,000 items reads about 50 index entries; only a text search scans
further, and only until it has a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from server.db.models import FollowUp
from server.domain.errors import Invalid, NotFound
from server.domain.follow_up import item_out
from server.domain.ids import parse_row_number
from server.wire.follow_up import FOLLOW_UP_KINDS, FollowUpCounts, FollowUpPage

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


def _filtered(workspace_id: int, f: InboxFilter, me: int) -> Select[FollowUp]:
    query = select(FollowUp).where(FollowUp.workspace_id == workspace_id)
    if f.kinds:
        query = query.where(FollowUp.kind.in_(f.kinds))
    if f.state is not None:
        query = query.where(FollowUp.state == f.state)
    if f.assignee is not None:
        query = query.where(_assignee_condition(f.assignee, me))  # type: ignore[arg-type]
    if f.since is not None:
        query = query.where(FollowUp.happened_at >= f.since)
    if f.until is not None:
        query = query.where(FollowUp.happened_at < f.until)
    if f.customer_id is not None:
        query = query.where(FollowUp.customer_id == f.customer_id)
    for word in (f.q or "").lower().split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(FollowUp.search_text.like(f"%{escaped}%", escape="\\"))
    return query


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
    query = _filtered(workspace_id, f, me)
    count = db.scalar(select(func.count()).select_from(query.subquery())) or 0
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
        count=count,
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
    mine, nobody = db.execute(
        select(
            func.count().filter(FollowUp.assignee_id == me),
            func.count().filter(FollowUp.assignee_id.is_(None)),
        ).where(open_items)
    ).one()
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
