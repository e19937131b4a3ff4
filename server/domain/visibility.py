"""The visibility policy of a workspace: published version, draft, and how they change."""

from __future__ import annotations

from server.db.models import Workspace
from server.wire.visibility import VisibilityPolicy


def published_policy(ws: Workspace) -> VisibilityPolicy:
    """The policy the portal enforces now (an empty stored document means the defaults)."""
    return VisibilityPolicy.model_validate(ws.visibility or {})


def draft_or_published_policy(ws: Workspace) -> VisibilityPolicy:
    """The draft when there is one (what a preview shows), else the published policy."""
    if ws.visibility_draft is not None:
        return VisibilityPolicy.model_validate(ws.visibility_draft)
    return published_policy(ws)
