"""The visibility policy of a workspace: published version, draft, and how they change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.db.models import Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.concurrency import check_if_match, lock_workspace
from server.domain.errors import Conflict, Invalid
from server.domain.visit_rows import VisitWorkspace
from server.wire.visibility import VisibilityDoc, VisibilityPolicy

WHAT = "visibility policy"


def published_policy(ws: Workspace | VisitWorkspace) -> VisibilityPolicy:
    """The policy the portal enforces now (an empty stored document means the defaults)."""
    return VisibilityPolicy.model_validate(ws.visibility or {})


def draft_or_published_policy(ws: Workspace | VisitWorkspace) -> VisibilityPolicy:
    """The draft when there is one (what a preview shows), else the published policy."""
    if ws.visibility_draft is not None:
        return VisibilityPolicy.model_validate(ws.visibility_draft)
    return published_policy(ws)


def visibility_doc(ws: Workspace) -> VisibilityDoc:
    """``GET /api/v1/visibility-policy`` (also the ``data`` of a "visibility" change)."""
    draft = (
        VisibilityPolicy.model_validate(ws.visibility_draft)
        if ws.visibility_draft is not None
        else None
    )
    return VisibilityDoc(published=published_policy(ws), draft=draft, version=ws.visibility_version)


def _changed(session: Session, ws: Workspace, actor: Actor, action: str) -> None:
    ws.visibility_version += 1
    record_event(session, ws.id, actor, action)
    record_change(session, ws.id, "visibility", ws.id, "upsert")
    session.commit()


def _refuse_impossible_actions(policy: VisibilityPolicy) -> None:
    """422 for a policy that switches an action on but hides what its pages need."""
    problems = policy.action_problems()
    if problems:
        errors = {f"actions.{action}": text for action, text in problems.items()}
        raise Invalid(" ".join(problems.values()), errors=errors)


def save_draft(
    session: Session, ws: Workspace, policy: VisibilityPolicy, if_match: str | None, actor: Actor
) -> VisibilityDoc:
    """Replace the draft with a policy (already completed with defaults by validation)."""
    _refuse_impossible_actions(policy)
    lock_workspace(session, ws)
    check_if_match(if_match, ws.visibility_version, WHAT)
    ws.visibility_draft = policy.model_dump(mode="json")
    _changed(session, ws, actor, "visibility.draft_saved")
    return visibility_doc(ws)


def publish_draft(
    session: Session, ws: Workspace, if_match: str | None, actor: Actor
) -> VisibilityDoc:
    """Make the draft the policy customers are held to, and clear the draft."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.visibility_version, WHAT)
    if ws.visibility_draft is None:
        raise Conflict("There is no visibility draft to publish.")
    _refuse_impossible_actions(VisibilityPolicy.model_validate(ws.visibility_draft))
    ws.visibility = ws.visibility_draft
    ws.visibility_draft = None
    _changed(session, ws, actor, "visibility.published")
    return visibility_doc(ws)


def discard_draft(
    session: Session, ws: Workspace, if_match: str | None, actor: Actor
) -> VisibilityDoc:
    """Throw the draft away; with no draft there is nothing to do."""
    lock_workspace(session, ws)
    check_if_match(if_match, ws.visibility_version, WHAT)
    if ws.visibility_draft is not None:
        ws.visibility_draft = None
        _changed(session, ws, actor, "visibility.draft_discarded")
    return visibility_doc(ws)
