"""Workspaces: creation and look-up."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Workspace
from server.domain.errors import Invalid
from server.wire.settings import RESERVED_SLUGS, SLUG_RE, slug_problem

__all__ = ["RESERVED_SLUGS", "SLUG_RE", "ensure_workspace", "slug_problem"]


def workspace_key(ws: Workspace) -> str:
    """A stable identity of a workspace: the same for as long as the workspace exists, however
    its slug or the server's address change, and different for a workspace made anew."""
    created = ws.created_at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return hashlib.sha256(f"workspace:{ws.id}:{created}".encode()).hexdigest()[:32]


def ensure_workspace(session: Session, slug: str, name: str | None = None) -> Workspace:
    """The workspace with this slug, created (coming soon) if it does not exist yet."""
    ws = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is not None:
        return ws
    problem = slug_problem(slug)
    if problem:
        raise Invalid(problem, errors={"slug": problem})
    ws = Workspace(slug=slug, name=name or slug.replace("-", " ").title())
    session.add(ws)
    session.flush()
    return ws
