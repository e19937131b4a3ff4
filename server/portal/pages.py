"""Portal pages that only show things: home, jobs, invoices."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.api.deps import DB
from server.domain import portal_billing_views as billing
from server.domain import portal_views as views
from server.portal.deps import Customer
from server.portal.render import render

router = APIRouter()


@router.get("/")
def home(
    request: Request, ctx: Customer, db: DB, welcome: int = 0, password_changed: int = 0
) -> Response:
    """What needs the customer now and their active jobs."""
    notice = None
    if welcome:
        notice = "Your password is saved and you are signed in. Welcome!"
    elif password_changed:
        notice = "Your new password is saved. Other places you were signed in are signed out."
    model = views.home_view(db, ctx.scope)
    return render(request, "portal/home.html", ctx, home=model, notice=notice, nav="home")


@router.get("/jobs")
def jobs(request: Request, ctx: Customer, db: DB) -> Response:
    """Active and past jobs."""
    views.require_section(ctx.scope, "jobs")
    all_jobs = views.list_jobs(db, ctx.scope)
    return render(
        request,
        "portal/jobs.html",
        ctx,
        nav="jobs",
        active=[j for j in all_jobs if j.active],
        past=[j for j in all_jobs if not j.active],
    )


@router.get("/jobs/{job_id}")
def job(request: Request, ctx: Customer, db: DB, job_id: int) -> Response:
    """One job with its shared photos and documents."""
    return render(
        request, "portal/job.html", ctx, nav="jobs", job=views.job_detail(db, ctx.scope, job_id)
    )


@router.get("/invoices")
def invoices(request: Request, ctx: Customer, db: DB) -> Response:
    """Every invoice, due ones first."""
    views.require_section(ctx.scope, "invoices")
    rows = billing.list_invoices(db, ctx.scope)
    due = [i for i in rows if i.state in ("due", "overdue")]
    return render(
        request,
        "portal/invoices.html",
        ctx,
        nav="invoices",
        due=due,
        others=[i for i in rows if i not in due],
    )


@router.get("/invoices/{invoice_id}")
def invoice(request: Request, ctx: Customer, db: DB, invoice_id: int) -> Response:
    """One invoice: lines, balance, payments, and the pay button when it is due."""
    model = billing.invoice_detail(db, ctx.scope, invoice_id)
    return render(request, "portal/invoice.html", ctx, nav="invoices", invoice=model)
