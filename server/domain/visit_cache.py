"""The session rows of the read-only portal pages customers open most, kept between clicks.

``VisitCache`` serves those pages (``customer_page``). Loading five rows of some eighty columns
into ORM objects was the larger part of such a page's own work. So such a page reads only the
columns it uses, as plain rows (``visit_rows``) of one statement compiled once
(``page_visit``), and only for a customer's own live session in an active portal; anything
else is left to ``find_visit``. Between two clicks those rows almost never change, so a
request whose cookie's rows are kept reads one narrow row instead: what can end a session or
close the portal (the session's times and revocation, the account's status and password
change, the portal's status), what the page's branding and policy are made from (the
workspace's name, branding and visibility), and the customer's change stamp (see
``portal_visits``). The session is judged on those fresh values, and the rows loaded for the
same cookie are reused while the stamp is unchanged. Anything else (no entry, a newer stamp, a
session that no longer works) reads the rows afresh, and a preview, a closed portal or an
ended session takes the full lookup. Reused rows are detached and shared between requests and
threads: nothing may change them, and the times and status they carry may be older than the
database's (the fresh row decides).

``VisitCache.find_on_loop`` makes the same check through an async driver, for a page answered
from memory on the event loop (``customer_page``); whatever it cannot settle without the full
lookup, it leaves to ``find``. Visits of these pages are noted in memory and written together
every few seconds (``VisitNotes``), so no read-only page waits on a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Text, cast, select

from server.db.compiled import CompiledSelect
from server.db.models import Contact, PortalAccount, PortalSession, Workspace
from server.db.models import Customer as CustomerRow
from server.domain.kept import Kept
from server.domain.portal_sessions import SessionState
from server.domain.portal_visits import (
    COOKIE_SESSION,
    SLUG_IS,
    STAMP_COLUMNS,
    cookie_digest,
    stamp_of,
    works_noted,
)
from server.domain.visit_notes import VisitNotes
from server.domain.visit_rows import (
    VisitAccount,
    VisitContact,
    VisitCustomer,
    VisitSession,
    VisitWorkspace,
)

if TYPE_CHECKING:
    from server.db.loop_reads import LoopReads

VISITS_KEPT = 512

# The workspace's branding and policy as the database writes them in text: what a kept visit's
# page was made from is compared as these two strings, instead of decoding both JSON documents
# on every page (a twentieth of a page answered from memory).
BRANDING_TEXT: ColumnElement[Any] = cast(Workspace.branding, Text)
POLICY_TEXT: ColumnElement[Any] = cast(Workspace.visibility, Text)


# The narrow row read on every reused visit: what can end the session or close the portal,
# what the page's branding and policy are made from, and the customer's stamp.
_STATE = (
    select(
        Workspace.portal_status,
        *STAMP_COLUMNS,
        Workspace.name,
        BRANDING_TEXT,
        POLICY_TEXT,
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
    .outerjoin(PortalSession, COOKIE_SESSION)
    .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .where(SLUG_IS)
    .execution_options(prepared=True)
)
_STATE_ROW = CompiledSelect(_STATE)


def _state_of(found: tuple[Any, ...]) -> SessionState | None:
    """The session state in a narrow row, or None when the row names no session."""
    (*_, session_id, created, seen, expires, revoked, preview_by, status, changed) = found
    if session_id is None or status is None:
        return None
    return SessionState(
        session_id, created, seen, expires, revoked, preview_by is not None, status, changed
    )


@dataclass(frozen=True)
class PageVisit:
    """A signed-in customer's visit as a read-only page reads it: plain rows (``visit_rows``)
    of the workspace, the live session, its account, contact and customer."""

    workspace: VisitWorkspace
    session: VisitSession
    account: VisitAccount
    contact: VisitContact
    customer: VisitCustomer
    # The workspace's branding and policy in text when the rows were read (``BRANDING_TEXT``,
    # ``POLICY_TEXT``).
    settings_text: tuple[str, str]
    # The customer's change stamp when the rows were read (see the module's docstring).
    changes_seq: int = 0


_PAGE_COLUMNS = (
    *(
        Workspace.id,
        Workspace.slug,
        Workspace.name,
        Workspace.portal_status,
        Workspace.branding,
        Workspace.branding_draft,
        Workspace.visibility,
        Workspace.visibility_draft,
        Workspace.time_zone,
        Workspace.locale,
        Workspace.currency,
    ),
    *(
        PortalSession.id,
        PortalSession.csrf_token,
        PortalSession.created_at,
        PortalSession.last_seen_at,
        PortalSession.expires_at,
        PortalSession.revoked_at,
        PortalSession.preview_by_id,
        PortalSession.preview_options,
    ),
    *(
        PortalAccount.id,
        PortalAccount.status,
        PortalAccount.password_changed_at,
        PortalAccount.email_normalized,
    ),
    *(Contact.id, Contact.name, Contact.email, Contact.time_zone),
    *(CustomerRow.id, CustomerRow.name),
    *(BRANDING_TEXT, POLICY_TEXT),
    *STAMP_COLUMNS,
)
# Where each row's columns end in a ``_PAGE_VISIT`` row (the settings' text, then the stamp's
# parts come last).
_W, _S, _A, _C, _U, _T = 11, 19, 23, 27, 29, 31

# The lookup of a read-only page: ``_VISIT``'s conditions, but only the columns a page reads,
# as plain rows. Inner joins: a visit without all five rows is not one this lookup settles
# (``find_visit`` then answers it, as it answers every other case).
_PAGE_VISIT = CompiledSelect(
    select(*_PAGE_COLUMNS)
    .select_from(Workspace)
    .join(PortalSession, COOKIE_SESSION)
    .join(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .join(Contact, Contact.id == PortalAccount.contact_id)
    .join(CustomerRow, CustomerRow.id == PortalAccount.customer_id)
    .where(SLUG_IS)
    .execution_options(prepared=True)
)


def page_visit(conn: Connection, slug: str, key: str, notes: VisitNotes) -> PageVisit | None:
    """The visit of the session whose cookie digest is ``key`` when it is a customer's own
    session (not a staff preview) that works now, in a workspace whose portal is active,
    noted in ``notes``; None for anything else (``find_visit`` then decides)."""
    row = _PAGE_VISIT.one_or_none(conn, {"slug": slug, "digest": key})
    return None if row is None else _page_visit_of(row, notes)


def _page_visit_of(row: tuple[Any, ...], notes: VisitNotes) -> PageVisit | None:
    """``page_visit``'s answer from its row (of ``_PAGE_VISIT``)."""
    ws = VisitWorkspace(*row[:_W])
    session = VisitSession(*row[_W:_S])
    account = VisitAccount(*row[_S:_A])
    if ws.portal_status != "active" or session.preview_by_id is not None:
        return None
    state = SessionState(
        session.id,
        session.created_at,
        session.last_seen_at,
        session.expires_at,
        session.revoked_at,
        False,
        account.status,
        account.password_changed_at,
    )
    if not works_noted(state, notes):
        return None
    contact = VisitContact(*row[_A:_C])
    customer = VisitCustomer(*row[_C:_U])
    settings: tuple[str, str] = row[_U:_T]
    return PageVisit(ws, session, account, contact, customer, settings, stamp_of(*row[_T:]))


class VisitCache:
    """The rows of up to ``size`` recent signed-in visits, reused while current; visits are
    noted in ``notes`` (written together, later)."""

    def __init__(self, notes: VisitNotes, size: int = VISITS_KEPT) -> None:
        self._visits: Kept[str, PageVisit] = Kept(size)
        self.notes = notes

    def find(self, conn: Connection, slug: str, token: str | None) -> PageVisit | None:
        """The visit of a customer's own live session in an active portal, its rows reused
        while nothing they hold has changed; None for anything else (no cookie, a staff
        preview, a closed portal, a session that no longer works): ask ``find_visit``."""
        key = cookie_digest(token)
        if key is None:
            return None
        kept = self._visits.get(key)
        if kept is not None:
            found = _STATE_ROW.one_or_none(conn, {"slug": slug, "digest": key})
            state = _current_state(kept, found, slug)
            if state is not None and works_noted(state, self.notes):
                return kept
            self._visits.drop(key)
        visit = page_visit(conn, slug, key, self.notes)
        if visit is not None:
            self._visits.put(key, visit)
        return visit

    async def find_on_loop(
        self, reads: LoopReads, slug: str, token: str | None
    ) -> PageVisit | None:
        """``find`` read on the event loop: the kept visit of ``token`` when it is current
        and its session works, else the visit's rows read afresh (and kept); None means: ask
        ``find_visit`` instead (also when a read failed)."""
        key = cookie_digest(token)
        if key is None:
            return None
        params = {"slug": slug, "digest": key}
        kept = self._visits.get(key)
        if kept is not None:
            found = await reads.rows(_STATE_ROW, params)
            if found is None:
                return None
            state = _current_state(kept, found[0] if len(found) == 1 else None, slug)
            if state is not None and works_noted(state, self.notes):
                return kept
            self._visits.drop(key)
        rows = await reads.rows(_PAGE_VISIT, params)
        if rows is None or len(rows) != 1:
            return None
        visit = _page_visit_of(rows[0], self.notes)
        if visit is not None:
            self._visits.put(key, visit)
        return visit

    def __len__(self) -> int:
        return len(self._visits)


def _current_state(
    kept: PageVisit, found: tuple[Any, ...] | None, slug: str
) -> SessionState | None:
    """The fresh session state when the narrow row ``found`` (of ``_STATE``) says ``kept`` is
    current (same session, same newest change, same page settings, portal open), else None."""
    if found is None:
        return None
    status, customer_seq, shared_seq, horizon, name, branding, visibility, *_ = found
    if status != "active":
        return None
    state = _state_of(found)
    ws = kept.workspace
    if (
        state is None
        or state.session_id != kept.session.id
        or stamp_of(customer_seq, shared_seq, horizon) != kept.changes_seq
        or ws.slug != slug
        or name != ws.name
        or (branding, visibility) != kept.settings_text
    ):
        return None
    return state
