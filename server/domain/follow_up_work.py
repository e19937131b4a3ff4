"""Working an item: assign it (take it), mark it done with a note, reopen it.

Every change names the version it was based on (``If-Match``). A stale one answers 412 with
the item as it now is; taking an item someone else holds answers 409 naming who, unless the
caller says to take it over. Both bodies carry ``current`` so the console can say "Sam Carter
took this at 10:02" without reading it again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import FollowUp, StaffUser, Workspace
from server.domain.audit import Actor, record_event
from server.domain.concurrency import check_if_match
from server.domain.errors import Conflict, Invalid, PreconditionFailed
from server.domain.follow_up import item_out, reopen, touch
from server.domain.follow_up_inbox import get_item
from server.domain.local_formats import format_when
from server.wire.follow_up import FollowUpPatch

NOTE_NEEDED = "Say in a few words what was done, so the next person knows."
NOTE_ALONE = "A note goes with marking the item done; send state 'done' with it."
NO_SUCH_STAFF = "Choose an active member of the team."


def where_it_stands(item: FollowUp, ws: Workspace) -> str:
    """One sentence on who holds the item or who finished it, with when (local time)."""
    if item.state == "done":
        who = item.done_by_name or "Someone"
        return f"{who} marked it done on {format_when(item.done_at, ws)}."
    if item.assignee_name:
        return f"{item.assignee_name} took it on {format_when(item.assigned_at, ws)}."
    return "Nobody holds it now."


def _clash(kind: type[Conflict] | type[PreconditionFailed], text: str, item: FollowUp) -> Exception:
    current = item_out(item).model_dump(mode="json")
    return kind(text, extra={"current": current})


def patch_item(
    db: Session,
    ws: Workspace,
    staff: StaffUser,
    actor: Actor,
    item_id: int,
    if_match: str | None,
    patch: FollowUpPatch,
) -> FollowUp:
    """Apply a patch in the caller's transaction (the caller commits)."""
    item = get_item(db, ws.id, item_id, lock=True)
    try:
        check_if_match(if_match, item.version, "follow-up item")
    except PreconditionFailed:
        text = "This item changed since you loaded it: " + where_it_stands(item, ws)
        raise _clash(PreconditionFailed, text, item) from None
    fields = patch.model_fields_set
    note = (patch.note or "").strip()
    if "note" in fields and note and patch.state != "done" and item.state != "done":
        raise Invalid(NOTE_ALONE, errors={"note": NOTE_ALONE})
    if patch.state == "done" and not note:
        raise Invalid(NOTE_NEEDED, errors={"note": NOTE_NEEDED})
    if "assignee_id" in fields:
        _assign(db, ws, staff, actor, item, patch)
    if patch.state == "done" or ("note" in fields and note and item.state == "done"):
        _finish(db, ws, actor, item, note)
    elif patch.state == "open" and item.state == "done":
        reopen(item)
        _audit(db, ws, actor, item, "follow_up.reopened")
    touch(db, item)
    return item


def _assign(
    db: Session, ws: Workspace, me: StaffUser, actor: Actor, item: FollowUp, patch: FollowUpPatch
) -> None:
    target = patch.assignee_id
    if target == item.assignee_id:
        return
    if target == me.id and item.assignee_id is not None and not patch.take_over:
        text = (
            f"{item.assignee_name or 'Someone else'} already holds this item: they took it on "
            f"{format_when(item.assigned_at, ws)}. Take it over only if you have agreed it."
        )
        raise _clash(Conflict, text, item)
    name = None
    if target is not None:
        name = db.scalar(
            select(StaffUser.name).where(
                StaffUser.id == target,
                StaffUser.workspace_id == ws.id,
                StaffUser.is_active.is_(True),
            )
        )
        if name is None:
            raise Invalid(NO_SUCH_STAFF, errors={"assignee_id": NO_SUCH_STAFF})
    before = item.assignee_name
    item.assignee_id = target
    item.assignee_name = name
    item.assigned_at = utcnow() if target is not None else None
    _audit(db, ws, actor, item, "follow_up.assigned", before=before, after=name)


def _finish(db: Session, ws: Workspace, actor: Actor, item: FollowUp, note: str) -> None:
    item.state = "done"
    item.done_note = note
    item.done_by_name = actor.name
    item.done_at = utcnow()
    _audit(db, ws, actor, item, "follow_up.done", note=note)


def _audit(
    db: Session, ws: Workspace, actor: Actor, item: FollowUp, action: str, **more: object
) -> None:
    record_event(
        db,
        ws.id,
        actor,
        action,
        customer_id=item.customer_id,
        contact_id=item.contact_id,
        follow_up_id=item.id,
        kind=item.kind,
        **more,
    )
