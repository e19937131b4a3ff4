"""What the portal's public addresses read: a workspace by its path, a staff preview's
standing, and the logo a portal may show."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import StoredFile, Workspace
from server.domain.branding import published_branding
from server.domain.errors import NotFound
from server.domain.portal_sessions import resolve_session

NOT_FOUND = "We could not find that page."


def workspace_at(db: Session, slug: str | None) -> Workspace | None:
    """The workspace whose portal lives at ``/p/{slug}``, if any."""
    return db.scalar(select(Workspace).where(Workspace.slug == slug)) if slug else None


def is_staff_preview(db: Session, workspace_id: int, token: str | None) -> bool:
    """Whether the session cookie ``token`` is a live staff preview of this workspace."""
    found = resolve_session(db, workspace_id, token)
    return found is not None and found[0].preview_by_id is not None


def portal_logo(
    db: Session,
    slug: str,
    file_id: int,
    token: str | None,
    staff_preview: Callable[[Workspace], bool] = lambda ws: False,
) -> StoredFile:
    """The workspace's published logo (a staff preview, by portal session or as told by
    ``staff_preview``, may also see the draft's), or the portal's 404 for anything else."""
    ws = workspace_at(db, slug)
    if ws is None:
        raise NotFound(NOT_FOUND)
    allowed = {published_branding(ws).logo_file_id}
    draft_logo = (ws.branding_draft or {}).get("logo_file_id")
    if (
        draft_logo
        and file_id == draft_logo
        and (is_staff_preview(db, ws.id, token) or staff_preview(ws))
    ):
        allowed.add(draft_logo)
    if file_id not in allowed:
        raise NotFound(NOT_FOUND)
    stored = db.scalar(
        select(StoredFile).where(StoredFile.id == file_id, StoredFile.workspace_id == ws.id)
    )
    if stored is None or not stored.content_type.startswith("image/"):
        raise NotFound(NOT_FOUND)
    return stored
