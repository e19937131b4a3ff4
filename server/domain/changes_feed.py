"""Reading the change log: pages of the feed, pre-encoded, and pruning old tombstones.

A page is one indexed range scan of ``change`` plus, per entity present in the page, one
query joining ``change`` to that entity's table over the same sequence range (no N+1, no
long ``IN`` lists). Rows become plain dicts and the page is encoded once with orjson.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import String, and_, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from server.db.base import UtcDateTime, utcnow
from server.db.models import Change, Customer, Workspace
from server.domain.changes_compact import COMPACT
from server.domain.customer_summary import portal_status
from server.domain.errors import Gone

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
ENCODE = orjson.OPT_UTC_Z


class _AccessProbe(NamedTuple):
    """The three columns ``portal_status`` reads, without building a Customer."""

    access_status: str
    access_locked_until: datetime | None
    access_invite_expires_at: datetime | None


def _utc(value: Any) -> datetime | None:
    """A timestamp read raw: SQLite gives ISO text (parsed in C here, much faster than the
    generic converter), PostgreSQL gives a datetime. Always aware, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _raw(col: Any) -> Any:
    """Timestamp columns are read untyped and converted by ``_utc``; others as they are."""
    if isinstance(col.type, UtcDateTime):
        return type_coerce(col, String).label(col.key)
    return col


def _customer_rows(rows: Iterable[Any], now: datetime) -> dict[int, dict[str, Any]]:
    """The same fields and values as ``customer_row`` (a test holds them equal)."""
    out: dict[int, dict[str, Any]] = {}
    for (
        cid,
        external_id,
        name,
        kind,
        phone,
        address,
        contact_id,
        contact_name,
        email,
        status,
        invite_expires,
        locked_until,
        last_sign_in,
        version,
        updated_at,
    ) in rows:
        invite_expires, locked_until = _utc(invite_expires), _utc(locked_until)
        if status == "invited" or (status == "active" and locked_until is not None):
            # One rule for the shown status: ask the function customer_row uses.
            probe = _AccessProbe(status, locked_until, invite_expires)
            status = portal_status(cast(Customer, probe), now)
        out[cid] = {
            "id": cid,
            "external_id": external_id,
            "name": name,
            "kind": kind,
            "phone": phone,
            "address": address,
            "primary_contact_id": contact_id,
            "primary_contact_name": contact_name,
            "primary_email": email,
            "portal_status": status,
            "invite_expires_at": invite_expires,
            "locked_until": locked_until,
            "last_sign_in_at": _utc(last_sign_in),
            "version": version,
            "updated_at": _utc(updated_at),
        }
    return out


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
    selected = [_raw(c) for c in cols]
    if ids is not None:
        query = select(*selected).where(model.id.in_(ids), scope)
    else:
        query = (
            select(*selected)
            .join(Change, and_(Change.entity_id == model.id, Change.entity == entity))
            .where(
                Change.workspace_id == workspace_id,
                Change.seq > since,
                Change.seq <= last,
                Change.op == "upsert",
                scope,
            )
        )
    # Core execution on the session's connection: plain rows, no ORM result machinery.
    result = session.connection().execute(query)
    if entity == "customer":
        return _customer_rows(result, utcnow())
    keys = list(result.keys())
    stamps = [i for i, c in enumerate(cols) if isinstance(c.type, UtcDateTime)]
    out: dict[int, dict[str, Any]] = {}
    for row in result:
        values = list(row)
        for i in stamps:
            values[i] = _utc(values[i])
        out[values[0]] = dict(zip(keys, values, strict=True))
    return out


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
