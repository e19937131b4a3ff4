"""Who is asking: a portal request's workspace and the live session its cookie names.

``find_visit`` loads the workspace and, outer-joined, the cookie's session with its account,
contact and customer in one statement, as rows of the caller's database session, so pages
that write can change them. The read-only pages customers open most read less (``visit_cache``).

The stamp of a customer is the larger of: the newest change of a record on that customer's
pages (its own row, contacts, accounts, jobs, quotes, invoices, payments, requests, files:
each change names its customer), the newest change every customer's pages show (workspace,
branding, policy, team: changes naming no customer), and the feed's horizon. Every write to
those records records a change in its own transaction (``record_change``), and numbers are
never reused, so an unchanged stamp means unchanged rows; a write for another customer leaves
it alone. The horizon is there because pruning old delete records can remove a customer's
newest change, which would make the stamp go back to a value a stale page was kept under;
pruning raises the horizon past every pruned number, so the stamp never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    String,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Change, Contact, PortalAccount, PortalSession, Workspace
from server.db.models import Customer as CustomerRow
from server.domain.errors import NotFound
from server.domain.portal_sessions import SessionState, is_live, stand_in_account, works
from server.domain.secrets import digest
from server.domain.visit_notes import VisitNotes

if TYPE_CHECKING:
    pass

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
    # The customer's change stamp when the rows were read (see the module's docstring).
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


def _last_change(customer: ColumnElement[bool]) -> ScalarSelect[int]:
    """The newest change of the correlated workspace whose customer matches: one probe of
    ix_change_ws_customer_seq, whatever other customers and workspaces wrote after it (both
    databases read ``max`` of an index's last column under equal leading columns from the
    index's end; no LIMIT, whose bound value a prepared plan could not see)."""
    return (
        select(func.max(Change.seq))
        .where(Change.workspace_id == Workspace.id, customer)
        .correlate(Workspace, PortalAccount)
        .scalar_subquery()
    )


# The three parts of the stamp of the cookie's customer (see the module's docstring).
STAMP_COLUMNS = (
    _last_change(Change.customer_id == PortalAccount.customer_id).label("customer_seq"),
    _last_change(Change.customer_id.is_(None)).label("shared_seq"),
    Workspace.changes_horizon,
)


def stamp_of(customer_seq: int | None, shared_seq: int | None, horizon: int) -> int:
    """A customer's change stamp from the parts ``STAMP_COLUMNS`` read."""
    return max(customer_seq or 0, shared_seq or 0, horizon)


# The conditions every lookup of a visit shares: the cookie's session in the slug's workspace.
COOKIE_SESSION = (PortalSession.workspace_id == Workspace.id) & (
    PortalSession.digest == bindparam("digest", type_=String)
)
SLUG_IS = Workspace.slug == bindparam("slug", type_=String)

# The full lookup, one statement built once: the workspace by slug and, outer-joined, the
# cookie's session with its account, contact and customer, plus the customer's stamp. The
# slug and the cookie's digest are unique keys and each part of the stamp is one index probe,
# so one plan serves every value: PostgreSQL plans it once per connection (``prepared``).
_VISIT = (
    select(Workspace, PortalSession, PortalAccount, Contact, CustomerRow, *STAMP_COLUMNS)
    .outerjoin(PortalSession, COOKIE_SESSION)
    .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .outerjoin(Contact, Contact.id == PortalAccount.contact_id)
    .outerjoin(CustomerRow, CustomerRow.id == PortalAccount.customer_id)
    .where(SLUG_IS)
    .execution_options(prepared=True)
)


def _live(db: Session, state: SessionState, notes: VisitNotes | None) -> bool:
    """Whether the session works; its visit noted in ``notes`` when given (written later,
    with others), else written now when due (``is_live``)."""
    if notes is None:
        return is_live(db, state)
    return works_noted(state, notes)


def find_visit(db: Session, slug: str, token: str | None, notes: VisitNotes | None = None) -> Visit:
    """The workspace of ``slug`` and the live session of the cookie ``token``, as rows of
    ``db``; the portal's 404 for an unknown slug. The visit is noted in ``notes`` when given
    (a read-only page), else written when due."""
    key = cookie_digest(token)
    if key is None:
        return Visit(workspace_by_slug(db, slug))
    found = db.execute(_VISIT, {"slug": slug, "digest": key}).one_or_none()
    if found is None:
        raise NotFound(NO_PORTAL)
    ws, row, account, contact, customer, *stamp = found
    if row is not None and account is None:
        # A staff preview of a contact not yet invited: the account they would have.
        account = stand_in_account(db, row)
        if account is not None:
            contact = db.get(Contact, account.contact_id)
            customer = db.get(CustomerRow, account.customer_id)
    if row is None or account is None or not _live(db, SessionState.of(row, account), notes):
        return Visit(ws)
    return Visit(ws, row, account, contact, customer, stamp_of(*stamp))


def works_noted(state: SessionState, notes: VisitNotes) -> bool:
    """Whether the session works now; its visit noted in ``notes`` when due."""
    now = utcnow()
    if not works(state, now):
        return False
    if notes.due(state, now):
        notes.note(state.session_id, now)
    return True
