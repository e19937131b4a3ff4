"""A page of the changes feed read from the server's bytes into ``PageRows``.

A full sync decodes half a million records, so how a page is read decides most of the cache
writer's work. ``from_json`` reads the bytes with msgspec and decodes only what the cache
needs as values: each change's entity, id and op, and the columns of customer rows. Every
other record is kept as the very JSON the server sent (a slice of the page, checked
well-formed while it is read) instead of being decoded into dicts and encoded again.

Only the cache writer imports this (``Cache.write_json``): the console's start does not pay
for msgspec's import.
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

from app.cache import follow_ups
from app.cache.page_rows import CUSTOMER, PageRows
from app.cache.rows import COLUMNS


class _Change(msgspec.Struct, gc=False):
    """One change as the cache reads it (``server.wire.changes.ChangeOut``; ``seq`` unused)."""

    entity: str
    id: int
    op: str
    # Kept as the server's own bytes: stored as they are, or decoded once (customers).
    data: msgspec.Raw = msgspec.Raw(b"null")


class _Page(msgspec.Struct, gc=False):
    """The parts of ``server.wire.changes.ChangesPage`` the cache uses (``count`` unused)."""

    data: list[_Change]
    next_cursor: str | int
    has_more: bool = False


# A customer's columns as a struct of the wire's field names: a field the page lacks fails
# the page (as ``row_from_wire`` does) instead of storing NULL for a renamed field.
_Customer = msgspec.defstruct("_Customer", [(c, Any) for c in COLUMNS], gc=False)
_PAGE = msgspec.json.Decoder(_Page)
_CUSTOMER = msgspec.json.Decoder(_Customer)
_NULL = msgspec.Raw(b"null")


def from_json(body: bytes | memoryview) -> PageRows:
    """The rows of a page as the server sent it (``ValueError`` if it is not one)."""
    try:
        return _rows_of(_PAGE.decode(body))
    except msgspec.ValidationError as exc:
        raise ValueError(f"The page of changes is JSON of another shape: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise ValueError(f"The page of changes is not readable JSON: {exc}") from exc


def _rows_of(page: _Page) -> PageRows:
    rows = PageRows(str(page.next_cursor), page.has_more)
    upserts, deletes, customer_ids = rows.upserts, rows.deletes, rows.customer_ids
    record_upserts, record_deletes = rows.record_upserts, rows.record_deletes
    customer, astuple = _CUSTOMER.decode, msgspec.structs.astuple
    records = rows.records
    # The loop runs for every record of a full sync (half a million): kept lean.
    for change in page.data:
        entity, rid, data = change.entity, change.id, change.data
        gone = change.op == "delete" or data == _NULL
        if entity == CUSTOMER:
            customer_ids.add(rid)
            if gone:
                deletes.append((rid,))
            else:
                upserts.append(astuple(customer(data)))
            continue
        ids = records.get(entity)
        if ids is None:
            ids = records[entity] = set()
        ids.add(rid)
        if gone:
            record_deletes.append((entity, rid))
        else:
            record_upserts.append((entity, rid, data))
        if entity == follow_ups.ENTITY:
            rows.inbox_gone.append(rid) if gone else rows.inbox.append(orjson.loads(bytes(data)))
    return rows
