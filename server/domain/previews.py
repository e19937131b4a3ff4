"""Staff previews: a short-lived link that renders the portal as one contact, read-only.

The staff call creates a preview session whose token is in the link; opening the link swaps
it (single use) for a fresh session token in a cookie. Nothing a customer can see changes:
no sign-in time, no account change. The preview is audited as a staff action when its link
is opened (the console asks for the next contact's link ahead of time; one never opened was
not a preview, and expires unused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Contact, PortalAccount, PortalSession, Workspace
from server.domain.audit import Actor, record_event
from server.domain.errors import NotFound
from server.domain.portal_sessions import start_contact_preview, start_session
from server.domain.secrets import digest, new_token

OPEN_WITHIN = timedelta(minutes=10)
LASTS = timedelta(hours=1)


@dataclass(frozen=True)
class PreviewLink:
    """The link the console opens, and until when it can be opened."""

    path: str
    expires_at: datetime


def create_preview(
    db: Session,
    ws: Workspace,
    actor: Actor,
    contact_id: int,
    *,
    use_draft_visibility: bool,
    use_draft_branding: bool,
    show_coming_soon: bool = False,
) -> PreviewLink:
    """A preview link for a contact of this workspace.

    A contact without a portal account is previewed as they will see the portal once they
    accept an invite; no account is made for them. ``show_coming_soon``: while the portal is
    not live, show the page customers get today instead of the portal after going live.
    """
    found = db.execute(
        select(Contact, PortalAccount)
        .outerjoin(PortalAccount, PortalAccount.contact_id == Contact.id)
        .where(Contact.id == contact_id, Contact.workspace_id == ws.id)
    ).one_or_none()
    if found is None:
        raise NotFound("There is no contact with that id in this workspace.")
    contact, account = found
    options = {
        "use_draft_visibility": use_draft_visibility,
        "use_draft_branding": use_draft_branding,
        "show_coming_soon": show_coming_soon,
        "opened": False,
        # For the audit entry written when the link is opened.
        "customer_id": contact.customer_id,
        "contact_id": contact.id,
        "has_account": account is not None,
        "staff_name": actor.name,
    }
    if account is None:
        opened = start_contact_preview(
            db,
            contact,
            ip=actor.ip,
            lifetime=OPEN_WITHIN,
            preview_by_id=actor.id,
            preview_options=options,
        )
    else:
        opened = start_session(
            db,
            account,
            ip=actor.ip,
            user_agent="staff preview",
            lifetime=OPEN_WITHIN,
            preview_by_id=actor.id,
            preview_options=options,
        )
    db.commit()
    return PreviewLink(f"/p/{ws.slug}/preview/{opened.token}", opened.row.expires_at)


def open_preview(db: Session, ws: Workspace, token: str) -> str | None:
    """Swap a preview link's token for the session cookie's token (once); None if unusable."""
    row = db.scalar(
        select(PortalSession).where(
            PortalSession.digest == digest(token),
            PortalSession.workspace_id == ws.id,
            PortalSession.preview_by_id.is_not(None),
        )
    )
    now = utcnow()
    if row is None or row.revoked_at or row.expires_at <= now:
        return None
    if (row.preview_options or {}).get("opened"):
        return None
    fresh = new_token()
    swapped = db.execute(
        update(PortalSession)
        .where(PortalSession.id == row.id, PortalSession.digest == digest(token))
        .values(
            digest=digest(fresh),
            expires_at=now + LASTS,
            last_seen_at=now,
            preview_options={**(row.preview_options or {}), "opened": True},
        )
    )
    if swapped.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        return None
    opts = row.preview_options or {}
    record_event(
        db,
        ws.id,
        Actor("staff", row.preview_by_id, opts.get("staff_name"), row.ip),
        "staff.preview",
        customer_id=opts.get("customer_id"),
        contact_id=opts.get("contact_id"),
        use_draft_visibility=bool(opts.get("use_draft_visibility")),
        use_draft_branding=bool(opts.get("use_draft_branding")),
        has_account=bool(opts.get("has_account")),
    )
    db.commit()
    return fresh
