"""Branding of a workspace: the published version, the draft, and how they change."""

from __future__ import annotations

from server.db.models import Workspace
from server.wire.branding import Branding, default_branding


def published_branding(ws: Workspace) -> Branding:
    """The branding customers see now (an empty stored document means the defaults)."""
    if not ws.branding:
        return default_branding(ws.name)
    return Branding.model_validate(ws.branding)


def draft_or_published_branding(ws: Workspace) -> Branding:
    """The draft when there is one (what a preview shows), else the published branding."""
    if ws.branding_draft is not None:
        return Branding.model_validate(ws.branding_draft)
    return published_branding(ws)
