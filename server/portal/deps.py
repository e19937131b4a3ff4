"""Dependencies of the portal pages: the workspace, the signed-in customer, CSRF checks.

``Customer`` resolves the session cookie to a ``CustomerContext``; pages that change data add
``verify_csrf`` (or use ``CustomerForm``), which checks the Origin and the synchronizer token
and turns every form posted in a staff preview into a "nothing was changed" notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import Contact, PortalAccount, PortalSession, Workspace
from server.db.models import Customer as CustomerRow
from server.db.page_reads import PageReads
from server.deps import DB
from server.domain.audit import Actor
from server.domain.errors import Forbidden
from server.domain.portal_view_models import Scope
from server.domain.portal_visits import Visit, find_visit
from server.domain.secrets import same
from server.domain.visit_cache import PageVisit, VisitCache
from server.domain.visit_rows import (
    VisitAccount,
    VisitContact,
    VisitCustomer,
    VisitSession,
    VisitWorkspace,
)
from server.portal.page_settings import page_branding, page_policy
from server.wire.branding import Branding
from server.wire.visibility import VisibilityPolicy

if TYPE_CHECKING:
    from server.db.loop_reads import LoopReads

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
class SignedInContext:
    """The signed-in contact (or the contact a staff preview renders as) and what they see.

    A read-only page (``customer_page``) gets its rows as plain rows (``visit_rows``) when its
    session is a customer's own; pages that write get a ``CustomerContext``.
    """

    workspace: Workspace | VisitWorkspace
    branding: Branding
    policy: VisibilityPolicy
    account: PortalAccount | VisitAccount
    contact: Contact | VisitContact
    customer: CustomerRow | VisitCustomer
    session: PortalSession | VisitSession
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


@dataclass
class CustomerContext(SignedInContext):
    """``SignedInContext`` with its rows as ORM objects of the request's database session, so
    pages that write can change them."""

    workspace: Workspace
    account: PortalAccount
    contact: Contact
    customer: CustomerRow
    session: PortalSession


def client_ip(request: Request) -> str | None:
    """The address the request came from."""
    return request.client.host if request.client else None


def is_loopback_http(request: Request) -> bool:
    """Plain http to this machine: the only case where cookies go without ``Secure``."""
    return request.url.scheme == "http" and (request.url.hostname or "") in LOOPBACK


def _admit(request: Request, visit: Visit) -> Workspace:
    """Keep the visit for ``Customer``; a portal that is not active is closed, except to a
    staff preview (so the office can prepare before going live)."""
    request.state.portal_visit = visit
    ws = visit.workspace
    if ws.portal_status != "active" and not previews_live_portal(visit.session):
        raise PortalClosed(ws)
    return ws


def previews_live_portal(session: PortalSession | None) -> bool:
    """A staff preview of the portal as it will be once live (not of the coming-soon page)."""
    if session is None or session.preview_by_id is None:
        return False
    return not (session.preview_options or {}).get("show_coming_soon")


def portal_workspace(slug: str, request: Request, db: DB) -> Workspace:
    """The workspace of the portal path, with the cookie's session looked up for this request."""
    return _admit(request, find_visit(db, slug, request.cookies.get(SESSION_COOKIE)))


PortalWorkspace = Annotated[Workspace, Depends(portal_workspace)]


def _customer_context(request: Request, ws: Workspace) -> CustomerContext:
    """The context of the session ``portal_workspace`` found for this request, or sign in."""
    visit: Visit = request.state.portal_visit
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


def _page_context(request: Request, visit: PageVisit) -> SignedInContext:
    """The context of a customer's own live session found by ``VisitCache`` (never a
    preview: those take the full lookup)."""
    ws = visit.workspace
    return SignedInContext(
        workspace=ws,
        branding=page_branding(ws),
        policy=page_policy(ws),
        account=visit.account,
        contact=visit.contact,
        customer=visit.customer,
        session=visit.session,
        is_preview=False,
        csrf_token=visit.session.csrf_token,
        ip=client_ip(request),
        changes_seq=visit.changes_seq,
    )


def signed_in(request: Request, reads: PageReads, slug: str) -> SignedInContext:
    """``portal_workspace`` and ``current_customer`` as one plain call for a read-only page
    (see ``customer_page``): a customer's own live session in an active portal is read as
    plain rows, reused while current (``VisitCache``); anything else (no cookie, a staff
    preview, a closed portal, a session that no longer works) takes the full lookup, which
    answers as every other page does."""
    visits: VisitCache = request.app.state.visits
    token = request.cookies.get(SESSION_COOKIE)
    visit = visits.find(reads.connection, slug, token)
    if visit is not None:
        return _page_context(request, visit)
    full = find_visit(reads.session, slug, token, visits.notes)
    return _customer_context(request, _admit(request, full))


# Portal pages are Python work (queries through the ORM, then the template) that holds the GIL
# nearly throughout. Several worker threads building pages at once only fight over it: each
# row a SQLite cursor steps hands the GIL over, and under four concurrent requests the
# hand-overs cost more than the pages (measured: 30 % more CPU per page, a fifth of it in
# the kernel). Pages therefore take turns: on PostgreSQL two at a time, so that one page's
# round trip to the database can overlap another's rendering; on SQLite one at a time, since
# its reads never wait on the network and a second builder only took the GIL from the first
# (measured on the 50-job home page: a fifth more CPU per page with two). More throughput
# comes from more server processes.
PAGE_BUILDERS = {"postgresql": 2, "sqlite": 1}


def page_builders(database: str) -> int:
    """How many portal pages a process builds at once on ``database`` (a dialect name)."""
    return PAGE_BUILDERS.get(database, 2)


def _page_builders(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter, made on first use (it belongs to the running event loop)."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "page_builders", None)
    if limiter is None:
        size = page_builders(state.engine.dialect.name)
        limiter = state.page_builders = anyio.CapacityLimiter(size)
    return limiter


async def customer_page(
    request: Request,
    slug: str,
    page: Callable[[SignedInContext, PageReads], Response],
    *,
    on_loop: Callable[[SignedInContext, LoopReads], Awaitable[Response | None]] | None = None,
) -> Response:
    """Check the session and build a signed-in page in one trip to a worker thread, or on
    the event loop when the page has a way to be built there (``on_loop``).

    A route with a sync dependency and a sync body costs two trips (each a thread hand-off
    and back through the event loop) plus the database session's dependency; for the pages
    customers open most, that was a measurable share of the whole request. Routes using this
    sit outside the ``guarded`` router and get exactly its checks from ``signed_in``:
    unknown slug, closed portal, and no live session answer as they do everywhere else.

    ``on_loop`` builds the page on the event loop, its reads through an async driver
    (PostgreSQL's ``LoopReads``), or answers None. It is tried first when the session checks
    out on the loop too (a customer's own live session in an active portal); rendering there
    as well spares both thread hand-offs, and a worker's one interpreter renders no faster on
    a thread. Anything else (a failed read, a preview, no session) takes the worker thread.
    """
    loop_reads: LoopReads | None = request.app.state.loop_reads
    if on_loop is not None and loop_reads is not None:
        visits: VisitCache = request.app.state.visits
        visit = await visits.find_on_loop(loop_reads, slug, request.cookies.get(SESSION_COOKIE))
        if visit is not None:
            answer = await on_loop(_page_context(request, visit), loop_reads)
            if answer is not None:
                return answer
    engine: Engine = request.app.state.read_engine
    sessions: sessionmaker[Session] = request.app.state.read_sessionmaker

    def build() -> Response:
        with engine.connect() as conn:
            reads = PageReads(conn, sessions)
            try:
                return page(signed_in(request, reads, slug), reads)
            finally:
                reads.close()

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
