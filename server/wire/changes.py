"""The changes feed: ``GET /api/v1/changes?since=<cursor>&limit=<n>``."""

from __future__ import annotations

from typing import Any, Literal

from server.wire.base import Response


class ChangeOut(Response):
    """One record's latest change. ``data`` is its current form for upserts, None for deletes.

    For ``entity == "customer"`` the data is a ``CustomerRow``, for ``"follow_up"`` a
    ``FollowUpOut`` (``server.wire.follow_up``); other entities carry their staff-API
    representation.
    """

    seq: int
    entity: str
    id: int
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None


class ChangesPage(Response):
    """A page of changes in sequence order.

    ``next_cursor`` is where to continue (pass it back as ``since``); it is returned even when
    the page is empty, so a client always has a cursor to keep. Treat it as opaque text: while
    a copy from 0 is under way it reads ``"<seq>.<horizon>"``. ``has_more`` says whether to
    ask again at once. Cursor ``0`` (or no ``since``) starts from the beginning: a full
    snapshot, since every record keeps only its latest change. A cursor from before deletes
    that were since pruned (older than the retention) gets 410 Gone: wipe the local copy and
    start again from 0; a copy from 0 can always be walked to its end unless a prune runs
    while it is under way.
    """

    data: list[ChangeOut]
    count: int
    next_cursor: str
    has_more: bool
