"""Reading the change log: pages of the feed, pre-encoded, and pruning old tombstones.

A page is one indexed range scan of ``change`` plus, per entity present in the page, one
query joining ``change`` to that entity's table over the same sequence range (no N+1, no
long ``IN`` lists). The database hands over each record's ``data`` ready for JSON
(``changes_json``); the page is encoded once with orjson.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from server.db.base import UtcDateTime, utcnow
from server.db.models import Change, Workspace
from server.domain.changes_compact import COMPACT
from server.domain.changes_json import data_columns, data_json
from server.domain.errors import Gone, Invalid
from server.domain.ids import parse_row_number

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
ENCODE = orjson.OPT_UTC_Z
_statements: dict[tuple[str, str, bool], tuple[Select[Any], list[str]]] = {}


def _statement(entity: str, dialect: str, by_ids: bool) -> tuple[Select[Any], list[str]]:
    """The query for one entity's data, by sequence range or by ids, and the keys of its
    columns (none: one JSON text column). Built once per entity and dialect.

    SQLite reads the range best: a nested loop over rowids, and no thousands of bound
    variables. PostgreSQL misjudges how many changes the range holds and hashes the whole
    entity table; an array of ids gets index look-ups.
    """
    key = (entity, dialect, by_ids)
    if key not in _statements:
        model, _cols = COMPACT[entity]
        now: BindParameter[datetime] = bindparam("now", type_=UtcDateTime())
        ws: BindParameter[int] = bindparam("ws")
        scope = model.id == ws if model is Workspace else model.workspace_id == ws
        if dialect == "sqlite":
            query, keys = select(model.id, data_json(entity, now)), []
        else:
            pairs = data_columns(entity, dialect, now)
            query, keys = select(*(value for _, value in pairs)), [k for k, _ in pairs]
        if by_ids and dialect == "postgresql":
            # The ids travel as one array literal: psycopg dumps a list item by item in Python.
            ids = cast(bindparam("ids", type_=Text()), ARRAY(BigInteger()))
            query = query.where(model.id == any_(ids), scope)
        elif by_ids:
            query = query.where(model.id.in_(bindparam("ids", expanding=True)), scope)
        else:
            query = query.join(
                Change, and_(Change.entity_id == model.id, Change.entity == entity)
            ).where(
                Change.workspace_id == ws,
                Change.seq > bindparam("since"),
                Change.seq <= bindparam("last"),
                Change.op == "upsert",
                scope,
            )
        _statements[key] = (query, keys)
    return _statements[key]


def _load(
    session: Session,
    workspace_id: int,
    entity: str,
    since: int,
    last: int,
    ids: list[int] | None = None,
) -> dict[int, Any]:
    """The current form of the ``entity`` records that changed in (since, last], or of ``ids``."""
    conn = session.connection()
    dialect = conn.dialect.name
    query, keys = _statement(entity, dialect, ids is not None)
    params: dict[str, Any] = {"ws": workspace_id, "since": since, "last": last, "now": utcnow()}
    if ids is not None:
        params["ids"] = "{" + ",".join(map(str, ids)) + "}" if dialect == "postgresql" else ids
    # Core execution: plain rows, no ORM result machinery.
    rows = conn.execute(query, params).all()
    if keys:
        return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    # JSON text from the database goes into the page as it is.
    return {rid: orjson.Fragment(text) for rid, text in rows}


@dataclass(frozen=True)
class FeedCursor:
    """Where a client is in the feed.

    A copy from 0 walks past sequence numbers far below the horizon, so its cursors also
    carry the horizon the copy started under (``"<seq>.<horizon>"``): the copy may go on as
    long as no tombstone was pruned since it began. Once a client has caught up, its cursor
    is a plain ``"<seq>"`` that must not fall below the horizon.
    """

    since: int
    copy_horizon: int | None = None

    def __str__(self) -> str:
        return str(self.since) if self.copy_horizon is None else f"{self.since}.{self.copy_horizon}"


_BAD_CURSOR = "The cursor must be a value returned as next_cursor, or 0 to start over."


def parse_feed_cursor(value: str) -> FeedCursor:
    """Read a cursor given back by a client; 422 in plain English when it is not one."""
    seq, dot, horizon = value.strip().partition(".")
    numbers = [parse_row_number(p) for p in ([seq, horizon] if dot else [seq])]
    if None in numbers:
        raise Invalid(_BAD_CURSOR, errors={"since": _BAD_CURSOR})
    return FeedCursor(int(seq), numbers[1] if dot else None)


def check_cursor(workspace: Workspace, cursor: FeedCursor) -> FeedCursor:
    """The cursor to read from: 410 when deletes after it may have been pruned.

    ``0`` always works and starts a copy under the current horizon.
    """
    if cursor.since == 0:
        return FeedCursor(0, workspace.changes_horizon)
    if cursor.copy_horizon is not None:
        ok = cursor.copy_horizon == workspace.changes_horizon
    else:
        ok = cursor.since >= workspace.changes_horizon
    if not ok:
        raise Gone(
            "This sync position is too old: deleted records from that time are no longer "
            "kept. Clear the local copy and sync again from the start (since=0)."
        )
    return cursor


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed: the JSON of a ``ChangesPage``, and where the next page starts."""

    body: bytes
    next_cursor: str
    has_more: bool


def read_changes(
    session: Session, workspace: Workspace, cursor: FeedCursor, limit: int
) -> FeedPage:
    """One page of the feed after ``since``.

    An upsert whose record is already gone (deleted later in a transaction not yet seen)
    is reported as a delete; its own tombstone follows with a higher sequence.
    """
    cursor = check_cursor(workspace, cursor)
    since = cursor.since
    rows = (
        session.connection()
        .execute(
            select(Change.seq, Change.entity, Change.entity_id, Change.op)
            .where(Change.workspace_id == workspace.id, Change.seq > since)
            .order_by(Change.seq)
            .limit(limit + 1)
        )
        .all()
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else since
    wanted: dict[str, list[int]] = {}
    for _, entity, entity_id, op in rows:
        if op == "upsert" and entity in COMPACT:
            wanted.setdefault(entity, []).append(entity_id)
    by_range = session.get_bind().dialect.name == "sqlite"
    found = {
        e: _load(session, workspace.id, e, since, last, None if by_range else ids)
        for e, ids in wanted.items()
    }
    data: list[dict[str, Any]] = []
    missed: dict[str, list[dict[str, Any]]] = {}
    for seq, entity, entity_id, op in rows:
        record = found[entity].get(entity_id) if op == "upsert" and entity in found else None
        item: dict[str, Any] = {
            "seq": seq,
            "entity": entity,
            "id": entity_id,
            "op": op,
            "data": record,
        }
        if record is None and op == "upsert" and entity in found:
            if by_range:
                missed.setdefault(entity, []).append(item)
            else:
                item["op"] = "delete"
        data.append(item)
    # A record written again since the page was read has a newer sequence and is missed by
    # the range join; look those few up by id, so only a real delete reads as one.
    for entity, items in missed.items():
        again = _load(session, workspace.id, entity, since, last, [i["id"] for i in items])
        for item in items:
            item["data"] = again.get(item["id"])
            if item["data"] is None:
                item["op"] = "delete"
    if has_more:
        following = FeedCursor(last, cursor.copy_horizon)
    else:
        # Caught up: nothing exists between the last row and the horizon, so the plain
        # cursor may start at the horizon and stays valid after later prunes below it.
        following = FeedCursor(max(last, workspace.changes_horizon))
    next_cursor = str(following)
    page = {"data": data, "count": len(data), "next_cursor": next_cursor, "has_more": has_more}
    return FeedPage(orjson.dumps(page, option=ENCODE), next_cursor, has_more)


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
