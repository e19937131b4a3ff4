"""A page of the changes feed as the rows the cache writes: customers, records, inbox rows.

``PageRows`` is what one page writes; ``from_page`` makes it from a page that is already a
mapping (tests, ``Cache.apply``). A page as the server sent it is read by ``page_json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from app.cache import follow_ups
from app.cache.rows import row_from_wire

CUSTOMER = "customer"


@dataclass
class PageRows:
    """What one page writes, and which ids it touched (customers, and records by entity)."""

    next_cursor: str
    has_more: bool
    upserts: list[tuple[Any, ...]] = field(default_factory=list)
    deletes: list[tuple[int]] = field(default_factory=list)
    # (entity, id, JSON bytes or a buffer of them): stored as the record's ``data``.
    record_upserts: list[tuple[str, int, Any]] = field(default_factory=list)
    record_deletes: list[tuple[str, int]] = field(default_factory=list)
    inbox: list[Mapping[str, Any]] = field(default_factory=list)
    inbox_gone: list[int] = field(default_factory=list)
    customer_ids: set[int] = field(default_factory=set)
    records: dict[str, set[int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Rows written or removed."""
        return (
            len(self.upserts)
            + len(self.deletes)
            + len(self.record_upserts)
            + len(self.record_deletes)
        )

    def _record(self, entity: str, rid: int) -> None:
        self.records.setdefault(entity, set()).add(rid)


def from_page(page: Mapping[str, Any]) -> PageRows:
    """The rows of a page that is already decoded (the same rows ``from_json`` gives)."""
    rows = PageRows(str(page["next_cursor"]), bool(page.get("has_more")))
    for change in page.get("data", ()):
        entity, rid, data = change["entity"], int(change["id"]), change.get("data")
        gone = data is None or change["op"] == "delete"
        if entity == CUSTOMER:
            rows.customer_ids.add(rid)
            if gone:
                rows.deletes.append((rid,))
            else:
                rows.upserts.append(row_from_wire(data))
            continue
        rows._record(entity, rid)
        if gone:
            rows.record_deletes.append((entity, rid))
        else:
            rows.record_upserts.append((entity, rid, orjson.dumps(data)))
        if entity == follow_ups.ENTITY:
            rows.inbox_gone.append(rid) if gone else rows.inbox.append(data)
    return rows
