"""Audit events for every access change and every customer action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from server.db.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, a customer contact, the CRM, or the system."""

    kind: str  # staff | customer | crm | system
    id: int | None
    name: str | None
    ip: str | None = None


SYSTEM = Actor("system", None, "Toolbag Portal")


def record_event(
    session: Session,
    workspace_id: int,
    actor: Actor,
    action: str,
    *,
    customer_id: int | None = None,
    contact_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        workspace_id=workspace_id,
        customer_id=customer_id,
        contact_id=contact_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        detail=detail,
        ip=actor.ip,
    )
    session.add(event)
    return event
