"""Dependencies of the portal pages: the workspace, the signed-in customer, CSRF checks.

``Customer`` resolves the session cookie to a ``CustomerContext``; pages that change data add
``verify_csrf`` (or use ``CustomerForm``), which checks the Origin and the synchronizer token
and turns every form posted in a staff preview into a "nothing was changed" notice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import String, bindparam, case, literal, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from server.api.deps import DB
from server.db.models import (
    Change,
    Contact,
    PortalAccount,
    PortalSession,
    Workspace,
)
from server.db.models import (
    Customer as CustomerRow,
)
from server.domain.audit import Actor
from server.domain.errors import Forbidden, NotFound
from server.domain.portal_sessions import is_live
from server.domain.portal_view_models import Scope
from server.domain.secrets import digest, same
from server.portal.page_settings import page_branding, page_policy
from server.wire.branding import Branding
from server.wire.visibility import VisibilityPolicy

SESSION_COOKIE = "tb_portal"
FORM_COOKIE = "tb_form"  # double-submit token for the forms shown before sign-in
CSRF_FIELD = "csrf_token"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class SignInRequired(Exception):
    """No live session: the answer is a redirect to the sign-in page."""

    def __init__(self, slug: str, next_path: str | None = None) -> None:
        super().__init__(slug)
        self.slug = slug
        self.next_path = next_path


class PortalClosed(Exception):
    """The workspace's portal is not active yet: every path shows the coming-soon page."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace.slug)
        self.workspace = workspace


class PreviewNotice(Exception):
    """A form was posted in a staff preview: nothing changes, the page says so."""

    def __init__(self, ctx: CustomerContext) -> None:
        super().__init__(ctx.workspace.slug)
        self.ctx = ctx


@dataclass
class CustomerContext:
    """The signed-in contact (or the contact a staff preview renders as) and what they see."""

    workspace: Workspace
    branding: Branding
    policy: VisibilityPolicy
    account: PortalAccount
    contact: Contact
    customer: CustomerRow
    session: PortalSession
    is_preview: bool
    csrf_token: str
    ip: str | None = None
    # The workspace's newest changes-feed number when the request began: every write to what
    # a customer sees records a change, so an unchanged number means unchanged data.
    changes_seq: int = 0

    @property
    def base(self) -> str:
        """The portal's path prefix, e.g. ``/p/acme``."""
        return f"/p/{self.workspace.slug}"

    @property
    def customer_id(self) -> int:
        """The customer every query of a portal page is scoped by."""
        return self.customer.id

    @property
    def scope(self) -> Scope:
        """Whose data the page shows and under which policy (for the view builders)."""
        return Scope(self.workspace.id, self.customer.id, self.policy)

    @property
    def actor(self) -> Actor:
        """The contact as the actor of audit events."""
        return Actor("customer", self.contact.id, self.contact.name, self.ip)


def client_ip(request: Request) -> str | None:
    """The address the request came from."""
    return request.client.host if request.client else None


def is_loopback_http(request: Request) -> bool:
    """Plain http to this machine: the only case where cookies go without ``Secure``."""
    return request.url.scheme == "http" and (request.url.hostname or "") in LOOPBACK


def workspace_by_slug(db: Session, slug: str) -> Workspace:
    """The workspace of a portal path, or the portal's 404."""
    ws = db.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise NotFound("There is no customer portal at this address.")
    return ws


@dataclass(frozen=True)
class _Visit:
    """What one request found: the workspace and, when its cookie names a live session, the
    session, its account and the account's contact and customer."""

    workspace: Workspace
    session: PortalSession | None = None
    account: PortalAccount | None = None
    contact: Contact | None = None
    customer: CustomerRow | None = None
    changes_seq: int = 0


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
_NEWEST_CHANGE = (
    select(case((_LAST_CHANGE.c.workspace_id == Workspace.id, _LAST_CHANGE.c.seq)))
    .correlate(Workspace)
    .scalar_subquery()
)

# Every signed-in page starts here, so this is one statement (built once) instead of three
# lookups: the workspace by slug and, outer-joined, the cookie's session with its account,
# contact and customer, plus the workspace's newest change number (one index lookup).
# Whether the session still works is decided afterwards, every time. The slug and the cookie's
# digest are unique keys and the newest change is one index probe for any workspace, so one
# plan serves every value: PostgreSQL plans it once per connection (``prepared``).
_VISIT = (
    select(Workspace, PortalSession, PortalAccount, Contact, CustomerRow, _NEWEST_CHANGE)
    .outerjoin(
        PortalSession,
        (PortalSession.workspace_id == Workspace.id)
        & (PortalSession.digest == bindparam("digest", type_=String)),
    )
    .outerjoin(PortalAccount, PortalAccount.id == PortalSession.account_id)
    .outerjoin(Contact, Contact.id == PortalAccount.contact_id)
    .outerjoin(CustomerRow, CustomerRow.id == PortalAccount.customer_id)
    .where(Workspace.slug == bindparam("slug", type_=String))
    .execution_options(prepared=True)
)


def _visit(request: Request, db: Session, slug: str) -> _Visit:
    """The request's workspace and live session (kept on the request for ``Customer``)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        visit = _Visit(workspace_by_slug(db, slug))
    else:
        found = db.execute(_VISIT, {"slug": slug, "digest": digest(token)}).one_or_none()
        if found is None:
            raise NotFound("There is no customer portal at this address.")
        ws, row, account, contact, customer, seq = found
        live = row is not None and account is not None and is_live(db, row, account)
        visit = _Visit(ws, row, account, contact, customer, seq or 0) if live else _Visit(ws)
    request.state.portal_visit = visit
    return visit


def portal_workspace(slug: str, request: Request, db: DB) -> Workspace:
    """The workspace of the portal path; a portal that is not active is closed, except to
    a staff preview (so the office can prepare before going live)."""
    visit = _visit(request, db, slug)
    ws = visit.workspace
    if ws.portal_status != "active" and (
        visit.session is None or visit.session.preview_by_id is None
    ):
        raise PortalClosed(ws)
    return ws


PortalWorkspace = Annotated[Workspace, Depends(portal_workspace)]


def _customer_context(request: Request, ws: Workspace) -> CustomerContext:
    """The context of the session ``portal_workspace`` found for this request, or sign in."""
    visit: _Visit = request.state.portal_visit
    row, account, contact, customer = visit.session, visit.account, visit.contact, visit.customer
    if row is None or account is None:
        next_path = request.url.path if request.method == "GET" else None
        raise SignInRequired(ws.slug, next_path)
    if contact is None or customer is None:
        raise SignInRequired(ws.slug)
    options = row.preview_options or {}
    preview = row.preview_by_id is not None
    return CustomerContext(
        workspace=ws,
        branding=page_branding(ws, draft=preview and bool(options.get("use_draft_branding"))),
        policy=page_policy(ws, draft=preview and bool(options.get("use_draft_visibility"))),
        account=account,
        contact=contact,
        customer=customer,
        session=row,
        is_preview=preview,
        csrf_token=row.csrf_token,
        ip=client_ip(request),
        changes_seq=visit.changes_seq,
    )


async def current_customer(request: Request, ws: PortalWorkspace) -> CustomerContext:
    """The signed-in contact; without a live session the browser is sent to sign in.

    Async because it only reads what ``portal_workspace`` looked up for this request (the
    session was checked there): no database work, so no trip to a worker thread.
    """
    return _customer_context(request, ws)


def signed_in(request: Request, db: Session, slug: str) -> CustomerContext:
    """``portal_workspace`` and ``current_customer`` as one plain call (see ``customer_page``)."""
    return _customer_context(request, portal_workspace(slug, request, db))


# Portal pages are Python work (queries through the ORM, then the template) that holds the GIL
# nearly throughout. Several worker threads building pages at once only fight over it: each
# row a SQLite cursor steps hands the GIL over, and under four concurrent requests the
# hand-overs cost more than the pages (measured: 30 % more CPU per page, a fifth of it in
# the kernel). Pages therefore take turns, two at a time so that one page's database round
# trip can overlap another's rendering. More throughput comes from more server processes.
PAGE_BUILDERS = 2


def _page_builders(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter, made on first use (it belongs to the running event loop)."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "page_builders", None)
    if limiter is None:
        limiter = state.page_builders = anyio.CapacityLimiter(PAGE_BUILDERS)
    return limiter


async def customer_page(
    request: Request, slug: str, page: Callable[[CustomerContext, Session], Response]
) -> Response:
    """Check the session and build a signed-in page in one trip to a worker thread.

    A route with a sync dependency and a sync body costs two trips (each a thread hand-off
    and back through the event loop) plus the database session's dependency; for the pages
    customers open most, that was a measurable share of the whole request. Routes using this
    sit outside the ``guarded`` router and get exactly its checks from ``signed_in``:
    unknown slug, closed portal, and no live session answer as they do everywhere else.
    """
    sessions: sessionmaker[Session] = request.app.state.read_sessionmaker

    def build() -> Response:
        with sessions() as db:
            return page(signed_in(request, db, slug), db)

    return await anyio.to_thread.run_sync(build, limiter=_page_builders(request))


Customer = Annotated[CustomerContext, Depends(current_customer)]


def check_origin(request: Request) -> None:
    """Refuse a form whose Origin (or, lacking it, Referer) is not this portal's own."""
    settings = request.app.state.settings
    allowed = {f"{request.url.scheme}://{request.url.netloc}"}
    if settings.public_base_url:
        parts = urlsplit(settings.public_base_url)
        allowed.add(f"{parts.scheme}://{parts.netloc}")
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = urlsplit(request.headers.get("referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
    if origin not in allowed:
        raise Forbidden(
            "This form was sent from another site, so nothing was changed. "
            "Open the portal again and use its own pages."
        )


async def _form_token(request: Request) -> str:
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


_EXPIRED_FORM = (
    "This form has expired, so nothing was changed. Go back, reload the page and try again."
)


async def verify_csrf(request: Request, ctx: Customer) -> None:
    """Origin check plus the session's synchronizer token; in a preview, a notice instead."""
    check_origin(request)
    if not same(await _form_token(request), ctx.csrf_token):
        raise Forbidden(_EXPIRED_FORM)
    if ctx.is_preview:
        raise PreviewNotice(ctx)


async def verify_public_csrf(request: Request) -> None:
    """For forms shown before sign-in: Origin check plus the double-submit cookie."""
    check_origin(request)
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not cookie or not same(await _form_token(request), cookie):
        raise Forbidden(_EXPIRED_FORM)


async def customer_form(request: Request, ctx: Customer) -> CustomerContext:
    """``Customer`` plus ``verify_csrf`` in one dependency, for POST routes."""
    await verify_csrf(request, ctx)
    return ctx


CustomerForm = Annotated[CustomerContext, Depends(customer_form)]
PublicForm = Annotated[None, Depends(verify_public_csrf)]
