"""Follow-up items as the changes feed carries them, for the console core's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.wire.follow_up import FollowUpDetails, FollowUpOut

BASE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def item(i: int, kind: str = "quote_approved", **fields: Any) -> dict[str, Any]:
    """One valid ``FollowUpOut`` JSON object (checked by the wire model itself)."""
    data: dict[str, Any] = {
        "id": i,
        "kind": kind,
        "state": "open",
        "happened_at": BASE + timedelta(minutes=i),
        "customer_id": 100 + i,
        "customer_name": f"Customer {i}",
        "contact_id": 200 + i,
        "contact_name": f"Contact {i}",
        "title": f"Item {i} of kind {kind}",
        "details": FollowUpDetails(),
        "updated_at": BASE,
        "version": 1,
    }
    data.update(fields)
    return FollowUpOut(**data).model_dump(mode="json")


def change(data: dict[str, Any], seq: int, op: str = "upsert") -> dict[str, Any]:
    """One change of the feed carrying an item (or its delete)."""
    return {
        "seq": seq,
        "entity": "follow_up",
        "id": data["id"],
        "op": op,
        "data": None if op == "delete" else data,
    }


def page(changes: list[dict[str, Any]], cursor: int, has_more: bool = False) -> dict[str, Any]:
    """A page of the changes feed."""
    return {
        "data": changes,
        "count": len(changes),
        "next_cursor": str(cursor),
        "has_more": has_more,
    }
