"""Branding of a workspace: the published version, the draft, and how they change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from server.db.models import StoredFile, Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match, lock_workspace
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.uploads import clean_image
from server.domain.visit_rows import VisitWorkspace
from server.wire.branding import Branding, BrandingDoc, default_branding


def published_branding(ws: Workspace | VisitWorkspace) -> Branding:
    """The branding customers see now (an empty stored document means the defaults)."""
    if not ws.branding:
        return default_branding(ws.name)
    return Branding.model_validate(ws.branding)


def draft_or_published_branding(ws: Workspace | VisitWorkspace) -> Branding:
    """The draft when there is one (what a preview shows), else the published branding."""
    if ws.branding_draft is not None:
        return Branding.model_validate(ws.branding_draft)
    return published_branding(ws)


def branding_doc(ws: Workspace) -> BrandingDoc:
    """``GET /api/v1/branding`` (also the ``data`` of a "branding" change)."""
    draft = Branding.model_validate(ws.branding_draft) if ws.branding_draft is not None else None
    return BrandingDoc(published=published_branding(ws), draft=draft, version=ws.branding_version)


def logo_ids(ws: Workspace) -> set[int]:
    """The stored files the published branding or the draft uses as a logo."""
    ids = {published_branding(ws).logo_file_id}
    if ws.branding_draft is not None:
        ids.add(Branding.model_validate(ws.branding_draft).logo_file_id)
    return {i for i in ids if i is not None}


def _changed(session: Session, ws: Workspace, actor: Actor, action: str, **detail: Any) -> None:
    ws.branding_version += 1
    record_event(session, ws.id, actor, action, **detail)
    record_change(session, ws.id, "branding", ws.id, "upsert")
    session.commit()


def save_draft(
    session: Session, ws: Workspace, branding: Branding, if_match: str | None, actor: Actor
) -> BrandingDoc:
    """Replace the draft with a complete branding.

    ``logo_file_id`` may only keep a logo this workspace already uses (or be cleared): a new
    logo comes through an upload, so no other file can be made public by naming its id.
    """
    lock_workspace(session, ws)
    check_if_match(if_match, ws.branding_version, "branding")
    if branding.logo_file_id is not None and branding.logo_file_id not in logo_ids(ws):
        problem = "Upload a logo to change it; a file id cannot be typed in."
        raise Invalid(problem, errors={"logo_file_id": problem})
    ws.branding_draft = branding.model_dump(mode="json")
    _changed(session, ws, actor, "branding.draft_saved")
    return branding_doc(ws)


def publish_draft(
    session: Session, ws: Workspace, if_match: str | None, actor: Actor
) -> BrandingDoc:
    """Make the draft what customers see, and clear the draft."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.branding_version, "branding")
    if ws.branding_draft is None:
        raise Conflict("There is no branding draft to publish.")
    ws.branding = ws.branding_draft
    ws.branding_draft = None
    _changed(session, ws, actor, "branding.published")
    return branding_doc(ws)


def discard_draft(
    session: Session, ws: Workspace, if_match: str | None, actor: Actor
) -> BrandingDoc:
    """Throw the draft away; with no draft there is nothing to do."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.branding_version, "branding")
    if ws.branding_draft is not None:
        ws.branding_draft = None
        _changed(session, ws, actor, "branding.draft_discarded")
    return branding_doc(ws)


def upload_logo(
    session: Session,
    ws: Workspace,
    data: bytes,
    if_match: str | None,
    actor: Actor,
    *,
    max_bytes: int,
    max_pixels: int,
) -> BrandingDoc:
    """Validate and store a logo, and put it in the draft (started from the published one)."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.branding_version, "branding")
    clean = clean_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    stored = StoredFile(
        workspace_id=ws.id,
        content_type=clean.content_type,
        size=len(clean.data),
        sha256=clean.sha256,
        width=clean.width,
        height=clean.height,
        data=clean.data,
    )
    session.add(stored)
    session.flush()
    draft = draft_or_published_branding(ws).model_copy(update={"logo_file_id": stored.id})
    ws.branding_draft = draft.model_dump(mode="json")
    _changed(
        session,
        ws,
        actor,
        "branding.logo_uploaded",
        file_id=stored.id,
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
    )
    return branding_doc(ws)


def logo_file(session: Session, ws: Workspace, file_id: int) -> StoredFile:
    """A logo of the published branding or the draft; anything else is not found."""
    stored = None
    if file_id in logo_ids(ws):
        stored = session.scalar(
            select(StoredFile)
            .where(StoredFile.id == file_id, StoredFile.workspace_id == ws.id)
            .options(undefer(StoredFile.data))
        )
    if stored is None:
        raise NotFound("There is no such logo.")
    return stored
