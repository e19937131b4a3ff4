"""Portal pages that only show things: home, jobs, invoices, quotes.

Each is built in one trip to a worker thread (``customer_page``): the session check, the
page's queries (in a read-only session of its own) and the render together; on PostgreSQL the
home page is built on the event loop instead, its reads through ``LoopReads``. The routes sit
outside the ``guarded`` router, so they take the portal's ``slug`` themselves; ``signed_in``
applies the same checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.db.page_reads import PageReads
from server.deps import RowIdPath
from server.domain import portal_billing_views as billing
from server.domain import portal_views as views
from server.domain.home_rows import HOME_ROWS
from server.domain.home_views import HomeCache
from server.domain.portal_view_models import HomeView
from server.portal.deps import SignedInContext, customer_page
from server.portal.home_pages import HomePages
from server.portal.quotes import quote_page
from server.portal.render import PAGE_HEADERS, render, render_text

if TYPE_CHECKING:
    from server.db.loop_reads import LoopReads

router = APIRouter()


async def home(request: Request) -> Response:
    """What needs the customer now and their active jobs (the view reused while current)."""
    slug: str = request.path_params["slug"]
    notice = None
    if _flag(request, "welcome"):
        notice = "Your password is saved and you are signed in. Welcome!"
    elif _flag(request, "password_changed"):
        notice = "Your new password is saved. Other places you were signed in are signed out."

    cache: HomeCache = request.app.state.home_views
    pages: HomePages = request.app.state.home_pages

    def show(ctx: SignedInContext, model: HomeView) -> Response:
        def text() -> str:
            return render_text("portal/home.html", ctx, home=model, notice=notice, nav="home")

        return HTMLResponse(pages.page(ctx, model, notice, text), headers=PAGE_HEADERS)

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        return show(ctx, cache.view(ctx, lambda: views.home_view(reads.connection, ctx.scope)))

    async def on_loop(ctx: SignedInContext, reads: LoopReads) -> Response | None:
        model = cache.current(ctx)
        if model is None:
            rows = await reads.rows(HOME_ROWS, views.home_params(ctx.scope))
            if rows is None:
                return None
            model = cache.keep(ctx, views.home_view_of(ctx.scope, HOME_ROWS.named(rows)))
        return show(ctx, model)

    return await customer_page(request, slug, page, on_loop=on_loop)


# The page customers open most is a plain route: FastAPI's handling of its parameters (the
# request, the slug and two optional flags) cost about 0.1 ms a request, a tenth of the whole
# page when it is answered from memory. The flags come from the portal's own redirects after
# an invitation or a reset; anything but a positive number means "not set", never an error.
router.add_route("/", home, methods=["GET"], include_in_schema=False)


def _flag(request: Request, name: str) -> bool:
    """Whether the query flag ``name`` is a positive number (``?welcome=1``)."""
    value = request.query_params.get(name, "")
    return value.isdigit() and int(value) != 0


@router.get("/jobs")
async def jobs(request: Request, slug: str) -> Response:
    """Active and past jobs."""

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        views.require_section(ctx.scope, "jobs")
        all_jobs = views.list_jobs(reads.session, ctx.scope)
        return render(
            request,
            "portal/jobs.html",
            ctx,
            nav="jobs",
            active=[j for j in all_jobs if j.active],
            past=[j for j in all_jobs if not j.active],
        )

    return await customer_page(request, slug, page)


@router.get("/jobs/{job_id}")
async def job(request: Request, slug: str, job_id: RowIdPath) -> Response:
    """One job with its shared photos and documents."""

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        model = views.job_detail(reads.session, ctx.scope, job_id)
        return render(request, "portal/job.html", ctx, nav="jobs", job=model)

    return await customer_page(request, slug, page)


@router.get("/invoices")
async def invoices(request: Request, slug: str) -> Response:
    """Every invoice, due ones first."""

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        views.require_section(ctx.scope, "invoices")
        rows = billing.list_invoices(reads.session, ctx.scope)
        due = [i for i in rows if i.state in ("due", "overdue")]
        others = [i for i in rows if i not in due]
        return render(request, "portal/invoices.html", ctx, nav="invoices", due=due, others=others)

    return await customer_page(request, slug, page)


@router.get("/invoices/{invoice_id}")
async def invoice(request: Request, slug: str, invoice_id: RowIdPath) -> Response:
    """One invoice: lines, balance, payments, and the pay button when it is due."""

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        model = billing.invoice_detail(reads.session, ctx.scope, invoice_id)
        return render(request, "portal/invoice.html", ctx, nav="invoices", invoice=model)

    return await customer_page(request, slug, page)


@router.get("/quotes")
async def quotes(request: Request, slug: str) -> Response:
    """Quotes waiting for an answer, then the rest."""

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        views.require_section(ctx.scope, "quotes")
        rows = billing.list_quotes(reads.session, ctx.scope)
        return render(
            request,
            "portal/quotes.html",
            ctx,
            nav="quotes",
            waiting=[q for q in rows if q.state == "pending"],
            others=[q for q in rows if q.state != "pending"],
        )

    return await customer_page(request, slug, page)


# What the quote page says after the customer's answer (``?done=`` of the redirect).
QUOTE_NOTICES = {
    "approved": "Thank you. Your approval is recorded and we have been told.",
    "declined": "Your answer is recorded and we have been told.",
}


@router.get("/quotes/{quote_id}")
async def quote(request: Request, slug: str, quote_id: RowIdPath, done: str = "") -> Response:
    """One quote with its lines and the approve and decline forms."""
    notice = QUOTE_NOTICES.get(done)

    def page(ctx: SignedInContext, reads: PageReads) -> Response:
        return quote_page(request, ctx, reads.session, quote_id, notice=notice)

    return await customer_page(request, slug, page)
