"""Who is asking: a portal request's workspace and the live session its cookie names.

``find_visit`` loads the workspace and, outer-joined, the cookie's session with its account,
contact and customer in one statement, as rows of the caller's database session, so pages
that write can change them.

``VisitCache`` serves the read-only pages customers open most (``customer_page``). Loading
five rows of some eighty columns into ORM objects was the larger part of such a page's own
work, yet between two clicks they almost never change. So each request reads one narrow row
instead: what can end a session or close the portal (the session's times and revocation, the
account's status and password change, the portal's status), what the page's branding and
policy are made from (the workspace's name, branding and visibility), and the workspace's
newest change number. The session is judged on those fresh values, and the rows loaded for the
same cookie are reused while the newest change number is unchanged: every write to a
workspace, a contact, a customer or a portal account records a change in its own transaction
(``record_change``), so an unchanged number means unchanged rows. Anything else (no entry, a
newer number, a preview, a closed portal, a session that no longer works) takes the full
lookup. Reused rows are detached and shared between requests and threads: nothing may change
them, and the times and status they carry may be older than the database's (the fresh row
decides).

``VisitCache.find_on_loop`` makes the same check through an async driver, for a page answered
from memory on the event loop (``customer_page``); whatever it cannot settle without a write
(a visit due to be noted) or without the full lookup, it leaves to ``find``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, String, bindparam, case, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Change, Contact, PortalAccount, PortalSession, Workspace
from server.db.models import Customer as CustomerRow
from server.domain.errors import NotFound
from server.domain.portal_sessions import (
    SessionState,
    is_live,
    stand_in_account,
    touch_due,
    works,
)
from server.domain.secrets import digest
from server.portal.kept import Kept

VISITS_KEPT = 1024
NO_PORTAL = "There is no customer portal at this address."


@dataclass(frozen=True)
class Visit:
    """What one request found: the workspace and, when its cookie names a live session, the
    session, its account and the account's contact and customer."""

    workspace: Workspace
    session: PortalSession | None = None
    account: PortalAccount | None = None
    contact: Contact | None = None
    customer: CustomerRow | None = None
    changes_seq: int = 0


def workspace_by_slug(db: Session, slug: str) -> Workspace:
    """The workspace of a portal path, or the portal's 404."""
    ws = db.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise NotFound(NO_PORTAL)
    return ws


def cookie_digest(token: str | None) -> str | None:
    """The stored form of a session cookie, or None when the cookie cannot be one."""
    return digest(token) if token and len(token) <= 200 else None


# The workspace's newest change: the last entry of ix_change_ws_seq at or below it, kept only
# when it is the workspace's own. Written as a range over (workspace_id, seq) because PostgreSQL
# plans ``max(seq) WHERE workspace_id = ...`` of a correlated workspace as a backward walk of
# the whole change log, filtering: for a small workspace behind two million changes of a big
# one that took 138 ms on every page; the range is one index probe (0.02 ms) whatever the mix.
_LAST_CHANGE = (
    select(Change.workspace_id, Change.seq)
    .where(tuple_(Change.workspace_id, Change.seq) < tuple_(Workspace.id + 1, literal(0)))
    .order_by(Change.workspace_id.desc(), Change.seq.desc())
    .limit(1)
    .correlate(Workspace)
    .subquery("last_change")
)
NEWEST_CHANGE = (
    select(case((_LAST_CHANGE.c.workspace_id == Workspace.id, _LAST_CHANGE.c.seq)))
    .correlate(Workspace)
    .scalar_subquery()
)

_COOKIE_SESSION = (PortalSession.workspace_id == Workspace.id) & (
    PortalSession.digest == bindparam("digest", type_=String)
)
_SLUG = Workspace.slug == bindparam("slug", type_=String)

# The full lookup, one statement built once: the workspace by slug and, outer-joined, the
# cookie's session with its account, contact and customer, plus the workspace's newest change
# number. The slug and the cookie's digest are unique keys and the newest change is one index
# probe for any workspace, so one plan serves every value: PostgreSQL plans it once per
# connection (``prepared``).
_VISIT = (
    select(Workspace, PortalSession, PortalAccount, Contact, CustomerRow, NEWEST_CHANGE)
    .outerjoin(PortalSession, _COOKIE_SESSION)
    .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .outerjoin(Contact, Contact.id == PortalAccount.contact_id)
    .outerjoin(CustomerRow, CustomerRow.id == PortalAccount.customer_id)
    .where(_SLUG)
    .execution_options(prepared=True)
)

# The narrow row read on every reused visit: what can end the session or close the portal,
# what the page's branding and policy are made from, and the newest change number.
_STATE = (
    select(
        Workspace.portal_status,
        NEWEST_CHANGE.label("changes_seq"),
        Workspace.name,
        Workspace.branding,
        Workspace.visibility,
        PortalSession.id,
        PortalSession.created_at,
        PortalSession.last_seen_at,
        PortalSession.expires_at,
        PortalSession.revoked_at,
        PortalSession.preview_by_id,
        PortalAccount.status,
        PortalAccount.password_changed_at,
    )
    .select_from(Workspace)
    .outerjoin(PortalSession, _COOKIE_SESSION)
    .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .where(_SLUG)
    .execution_options(prepared=True)
)


def find_visit(db: Session, slug: str, token: str | None) -> Visit:
    """The workspace of ``slug`` and the live session of the cookie ``token``, as rows of
    ``db``; the portal's 404 for an unknown slug."""
    key = cookie_digest(token)
    if key is None:
        return Visit(workspace_by_slug(db, slug))
    found = db.execute(_VISIT, {"slug": slug, "digest": key}).one_or_none()
    if found is None:
        raise NotFound(NO_PORTAL)
    ws, row, account, contact, customer, seq = found
    if row is not None and account is None:
        # A staff preview of a contact not yet invited: the account they would have.
        account = stand_in_account(db, row)
        if account is not None:
            contact = db.get(Contact, account.contact_id)
            customer = db.get(CustomerRow, account.customer_id)
    if row is None or account is None or not is_live(db, SessionState.of(row, account)):
        return Visit(ws)
    return Visit(ws, row, account, contact, customer, seq or 0)


def _state_of(found: Row[Any]) -> SessionState | None:
    """The session state in a narrow row, or None when the row names no session."""
    (*_, session_id, created, seen, expires, revoked, preview_by, status, changed) = tuple(found)
    if session_id is None or status is None:
        return None
    return SessionState(
        session_id, created, seen, expires, revoked, preview_by is not None, status, changed
    )


def _page_settings(ws: Workspace) -> tuple[str, object, object]:
    """What a page's branding and policy are made from (a row written without recording a
    change, by hand say, must still apply on the next page)."""
    return ws.name, ws.branding, ws.visibility


class VisitCache:
    """The rows of up to ``size`` recent signed-in visits, reused while current."""

    def __init__(self, size: int = VISITS_KEPT) -> None:
        self._visits: Kept[str, Visit] = Kept(size)

    def find(self, db: Session, slug: str, token: str | None) -> Visit:
        """``find_visit``, with the loaded rows reused while nothing they hold has changed."""
        key = cookie_digest(token)
        if key is None:
            return find_visit(db, slug, token)
        kept = self._visits.get(key)
        if kept is not None:
            found = db.connection().execute(_STATE, {"slug": slug, "digest": key}).one_or_none()
            state = _current_state(kept, found, slug)
            if state is not None and is_live(db, state):
                return kept
            self._visits.drop(key)
        visit = find_visit(db, slug, token)
        if visit.session is not None and visit.session.preview_by_id is None:
            self._visits.put(key, visit)
        return visit

    async def find_on_loop(self, engine: AsyncEngine, slug: str, token: str | None) -> Visit | None:
        """The kept visit of ``token`` when it is current and its session works with nothing
        to write, read through an async driver; None means: ask ``find`` instead."""
        key = cookie_digest(token)
        kept = self._visits.get(key) if key is not None else None
        if kept is None:
            return None
        async with engine.connect() as conn:
            found = (await conn.execute(_STATE, {"slug": slug, "digest": key})).one_or_none()
        state = _current_state(kept, found, slug)
        now = utcnow()
        if state is None or not works(state, now) or touch_due(state, now):
            return None
        return kept

    def __len__(self) -> int:
        return len(self._visits)


def _current_state(kept: Visit, found: Row[Any] | None, slug: str) -> SessionState | None:
    """The fresh session state when the narrow row ``found`` says ``kept`` is current (same
    session, same newest change, same page settings, portal open), else None."""
    if found is None or found.portal_status != "active":
        return None
    state = _state_of(found)
    if (
        state is None
        or kept.session is None
        or state.session_id != kept.session.id
        or (found.changes_seq or 0) != kept.changes_seq
        or kept.workspace.slug != slug
        or (found.name, found.branding, found.visibility) != _page_settings(kept.workspace)
    ):
        return None
    return state
