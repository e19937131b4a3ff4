"""The workspace's own settings: name, slug (the portal's public path), portal status, and the
time zone, locale and currency customers' pages and emails are written in."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.models import FormerSlug, ProviderEvent, Workspace
from server.domain import held_invites
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match, lock_workspace
from server.domain.errors import Conflict, Invalid
from server.domain.readiness import check_go_live
from server.domain.workspaces import slug_problem
from server.wire.settings import PaymentStatus, WorkspaceOut, WorkspacePatch

# Plain settings: copied as they are when given (validated by the wire model).
_PLAIN = ("name", "time_zone", "locale", "currency", "portal_status")


def former_slugs(session: Session, ws: Workspace) -> list[str]:
    """Portal paths this workspace used before, newest first (they redirect to the current one)."""
    return list(
        session.scalars(
            select(FormerSlug.slug)
            .where(FormerSlug.workspace_id == ws.id)
            .order_by(FormerSlug.moved_at.desc())
        )
    )


def payment_status(
    session: Session, ws: Workspace, provider: str, test_mode: bool
) -> PaymentStatus:
    """Which provider takes payments, in test or live mode, and when its webhook last called."""
    last = session.scalar(
        select(func.max(ProviderEvent.received_at)).where(ProviderEvent.workspace_id == ws.id)
    )
    return PaymentStatus(provider=provider, test_mode=test_mode, last_webhook_at=last)


def workspace_out(
    ws: Workspace,
    base_url: str,
    *,
    former: list[str] | None = None,
    payment: PaymentStatus | None = None,
) -> WorkspaceOut:
    """The staff API's view of a workspace (also the ``data`` of a "workspace" change)."""
    return WorkspaceOut(
        id=ws.id,
        name=ws.name,
        slug=ws.slug,
        portal_status=ws.portal_status,  # checked on write
        portal_url=f"{base_url.rstrip('/')}/p/{ws.slug}/",
        version=ws.version,
        time_zone=ws.time_zone,
        locale=ws.locale or "en_US",
        currency=ws.currency or "USD",
        former_slugs=former or [],
        payment=payment,
    )


def slug_taken(session: Session, ws: Workspace, slug: str) -> bool:
    """Whether another workspace uses ``slug`` now or used it before (its links redirect)."""
    now = session.scalar(
        select(func.count())
        .select_from(Workspace)
        .where(Workspace.slug == slug, Workspace.id != ws.id)
    )
    before = session.scalar(
        select(func.count())
        .select_from(FormerSlug)
        .where(FormerSlug.slug == slug, FormerSlug.workspace_id != ws.id)
    )
    return bool(now or before)


def update_workspace(
    session: Session,
    ws: Workspace,
    patch: WorkspacePatch,
    if_match: str | None,
    actor: Actor,
) -> Workspace:
    """Apply a patch under ``If-Match``; audits the change and records it for sync.

    Switching the portal to active lets the invites held while it was coming soon go out:
    the caller wakes the sender (``server.held_invite_sender``), which sends them in batches.
    """
    lock_workspace(session, ws)
    check_if_match(if_match, ws.version, "workspace settings")
    changed: dict[str, dict[str, str | None]] = {}
    for field in _PLAIN:
        value = getattr(patch, field)
        if value is not None and value != getattr(ws, field):
            changed[field] = {"from": getattr(ws, field), "to": value}
    if patch.slug is not None:
        slug = patch.slug.lower()
        if slug != ws.slug:
            problem = slug_problem(slug)
            if problem:
                raise Invalid(problem, errors={"slug": problem})
            if slug_taken(session, ws, slug):
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
    if "slug" in changed:
        # The old path keeps redirecting; moving back to a path used before reclaims it.
        session.execute(delete(FormerSlug).where(FormerSlug.slug == changed["slug"]["to"]))
        session.add(FormerSlug(slug=ws.slug, workspace_id=ws.id))
    for field, values in changed.items():
        setattr(ws, field, values["to"])
    ws.version += 1
    if "portal_status" in changed:
        action = (
            "workspace.portal_activated"
            if ws.portal_status == "active"
            else "workspace.portal_deactivated"
        )
        waiting = 0
        if ws.portal_status == "active":
            # Sent after this commit, in batches (``held_invites``): not in this request.
            waiting = held_invites.waiting(session, ws.id)
        record_event(
            session,
            ws.id,
            actor,
            action,
            held_invites_to_send=waiting,
            acknowledged_open_items=acknowledged,
        )
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
