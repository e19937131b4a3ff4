"""The workspace's own settings: name, slug (the portal's public path) and portal status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.models import Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match, lock_workspace
from server.domain.errors import Conflict, Invalid
from server.domain.readiness import check_go_live
from server.domain.workspaces import slug_problem
from server.wire.settings import WorkspaceOut, WorkspacePatch


def workspace_out(ws: Workspace, base_url: str) -> WorkspaceOut:
    """The staff API's view of a workspace (also the ``data`` of a "workspace" change)."""
    return WorkspaceOut(
        id=ws.id,
        name=ws.name,
        slug=ws.slug,
        portal_status=ws.portal_status,  # checked on write
        portal_url=f"{base_url.rstrip('/')}/p/{ws.slug}/",
        version=ws.version,
    )


def update_workspace(
    session: Session, ws: Workspace, patch: WorkspacePatch, if_match: str | None, actor: Actor
) -> Workspace:
    """Apply a patch under ``If-Match``; audits the change and records it for sync."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.version, "workspace settings")
    changed: dict[str, dict[str, str]] = {}
    if patch.name is not None and patch.name != ws.name:
        changed["name"] = {"from": ws.name, "to": patch.name}
    if patch.slug is not None:
        slug = patch.slug.lower()
        if slug != ws.slug:
            problem = slug_problem(slug)
            if problem:
                raise Invalid(problem, errors={"slug": problem})
            taken = session.scalar(
                select(func.count())
                .select_from(Workspace)
                .where(Workspace.slug == slug, Workspace.id != ws.id)
            )
            if taken:
                raise Conflict(
                    f"The address '{slug}' is already used by another business; choose another.",
                    errors={"slug": "Already taken."},
                )
            changed["slug"] = {"from": ws.slug, "to": slug}
    acknowledged: list[str] = []
    if patch.portal_status is not None and patch.portal_status != ws.portal_status:
        changed["portal_status"] = {"from": ws.portal_status, "to": patch.portal_status}
        if patch.portal_status == "active":
            acknowledged = check_go_live(session, ws, patch.acknowledged_open_items)
    if not changed:
        return ws
    for field, values in changed.items():
        setattr(ws, field, values["to"])
    ws.version += 1
    if "portal_status" in changed:
        action = (
            "workspace.portal_activated"
            if ws.portal_status == "active"
            else "workspace.portal_deactivated"
        )
        record_event(session, ws.id, actor, action, acknowledged_open_items=acknowledged)
    record_event(session, ws.id, actor, "workspace.updated", changes=changed)
    record_change(session, ws.id, "workspace", ws.id, "upsert")
    if "name" in changed and not ws.branding:
        # Default branding shows the workspace name, so what customers see changed too.
        ws.branding_version += 1
        record_change(session, ws.id, "branding", ws.id, "upsert")
    try:
        session.commit()
    except IntegrityError as exc:  # two renames to the same slug at once
        session.rollback()
        raise Conflict(
            "That address was taken a moment ago; choose another.",
            errors={"slug": "Already taken."},
        ) from exc
    return ws
