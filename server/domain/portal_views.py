"""What a customer sees: view models built from the rows, filtered by the visibility policy.

This is where data leaves the server for the portal, so a hidden field is never copied into a
view model: templates can only show what is here. Every query is scoped by workspace and
customer; anything else is the same NotFound as a missing row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import (
    Address,
    Document,
    Job,
    Photo,
    ServiceRequest,
)
from server.domain import portal_billing_views as billing
from server.domain.errors import NotFound
from server.domain.home_rows import HOME_ROWS, INVOICE, JOB, QUOTE
from server.domain.portal_view_models import (
    MISSING,
    DocumentView,
    HomeView,
    InvoiceView,
    JobCard,
    JobView,
    PhotoView,
    QuoteView,
    Scope,
)
from server.wire.visibility import ACTIVE_JOB_STATUSES, VisibilityPolicy


def _job_label(policy: VisibilityPolicy, job: Job | None) -> str | None:
    if job is None:
        return None
    if policy.shows("jobs", "title") and policy.shows("jobs", "number"):
        return f"{job.title} ({job.number})"
    if policy.shows("jobs", "title"):
        return job.title
    if policy.shows("jobs", "number"):
        return f"Job {job.number}"
    return "A job"


# What a job card reads, as plain rows (building ORM objects for 50 jobs and their addresses
# was most of the home page's time), in one statement built once per list kind.
_CARD_COLUMNS = (
    Job.id,
    Job.number,
    Job.title,
    Job.internal_status,
    Job.scheduled_start,
    Address.line1,
    Address.line2,
    Address.city,
    Address.region,
    Address.postcode,
)
_ALL_CARDS = (
    select(*_CARD_COLUMNS)
    .outerjoin(Address, Address.id == Job.address_id)
    .where(
        Job.workspace_id == bindparam("workspace_id"), Job.customer_id == bindparam("customer_id")
    )
    .order_by(Job.scheduled_start.desc(), Job.id.desc())
)
# Prepared on PostgreSQL, as the home page's other lists (see portal_billing_views).
_ACTIVE_CARDS = _ALL_CARDS.where(Job.internal_status.in_(ACTIVE_JOB_STATUSES)).execution_options(
    prepared=True
)


def job_view(
    scope: Scope,
    job: Job,
    address: str | None,
    photos: list[PhotoView] | None = None,
    documents: list[DocumentView] | None = None,
) -> JobView:
    """One job through the policy (``address`` on one line)."""
    p = scope.policy
    shown = {f: p.shows("jobs", f) for f in p.fields["jobs"]}
    title = job.title if shown["title"] else None
    number = job.number if shown["number"] else None
    return JobView(
        id=job.id,
        heading=title or (f"Job {number}" if number else "Job"),
        number=number,
        title=title,
        description=job.description if shown["description"] else None,
        status=p.label(job.internal_status) if shown["status"] else None,
        scheduled_start=job.scheduled_start if shown["scheduled_time"] else None,
        scheduled_end=job.scheduled_end if shown["scheduled_time"] else None,
        address=address if shown["address"] else None,
        technician=job.technician_name if shown["technician_name"] else None,
        notes=job.internal_notes if shown["internal_notes"] else None,
        completed_at=job.completed_at if shown["completed_at"] else None,
        active=job.internal_status in ACTIVE_JOB_STATUSES,
        photos=photos or [],
        documents=documents or [],
    )


def _owned(scope: Scope) -> tuple[ColumnElement[bool], ...]:
    return Job.workspace_id == scope.workspace_id, Job.customer_id == scope.customer_id


_AT_ADDRESS = Address.id == Job.address_id


def _one_line(*parts: str | None) -> str | None:
    """An address's columns on one line, as ``Address.one_line`` writes it."""
    return ", ".join(p for p in parts if p) or None


def list_jobs(db: Session, scope: Scope, *, active_only: bool = False) -> list[JobCard]:
    """The customer's jobs as cards, newest first; empty when the jobs section is hidden."""
    if not scope.policy.shows("jobs"):
        return []
    stmt = _ACTIVE_CARDS if active_only else _ALL_CARDS
    params = {"workspace_id": scope.workspace_id, "customer_id": scope.customer_id}
    # Through the session's connection: rows are all a card needs (see the billing lists).
    return _cards(scope.policy, db.connection().execute(stmt, params))


def _cards(p: VisibilityPolicy, rows: Iterable[Sequence[Any]]) -> list[JobCard]:
    """Job cards from rows of id, number, title, status, start and the address's parts."""
    show_title, show_number = p.shows("jobs", "title"), p.shows("jobs", "number")
    show_status, show_time = p.shows("jobs", "status"), p.shows("jobs", "scheduled_time")
    show_address = p.shows("jobs", "address")
    cards = []
    for job_id, number, title, status, start, *address in rows:
        shown_title = title if show_title else None
        shown_number = number if show_number else None
        heading = shown_title or (f"Job {shown_number}" if shown_number else "Job")
        cards.append(
            JobCard(
                job_id,
                heading,
                p.label(status) if show_status else None,
                start if show_time else None,
                _one_line(*address) if show_address else None,
                status in ACTIVE_JOB_STATUSES,
            )
        )
    return cards


def job_detail(db: Session, scope: Scope, job_id: int) -> JobView:
    """One job with its shared photos and documents (when the policy links them to jobs)."""
    if not scope.policy.shows("jobs"):
        raise NotFound(MISSING)
    stmt = select(Job, Address).outerjoin(Address, _AT_ADDRESS).where(*_owned(scope))
    found = db.execute(stmt.where(Job.id == job_id)).one_or_none()
    if found is None:
        raise NotFound(MISSING)
    job, address = found
    photos = list_photos(db, scope, job_id=job.id) if _linked(scope, "photos") else []
    docs = list_documents(db, scope, job_id=job.id) if _linked(scope, "documents") else []
    view = job_view(scope, job, address.one_line() if address else None, photos, docs)
    if job.source != "portal":
        return view
    request = db.execute(
        select(ServiceRequest.id, ServiceRequest.status).where(
            ServiceRequest.job_id == job.id, ServiceRequest.customer_id == scope.customer_id
        )
    ).first()
    if request is None:
        return view
    return replace(view, request_id=request[0], request_waiting=request[1] == "needs_info")


def _linked(scope: Scope, section: str) -> bool:
    return scope.policy.shows(section) and scope.policy.shows(section, "job_link")


def home_view(db: Session | Connection, scope: Scope) -> HomeView:
    """The home page: quotes waiting, invoices due, active jobs (and when the clock alone
    would change it: see ``HomeView.turns_at``), read in one statement (``home_rows``)."""
    conn = db if isinstance(db, Connection) else db.connection()
    return home_view_of(scope, HOME_ROWS.named_rows(conn, home_params(scope)))


def home_params(scope: Scope) -> dict[str, int]:
    """The parameters of ``HOME_ROWS`` for the customer of ``scope``."""
    return {"workspace_id": scope.workspace_id, "customer_id": scope.customer_id}


def home_view_of(scope: Scope, rows: Iterable[Any]) -> HomeView:
    """The home page from ``HOME_ROWS``'s rows (named), as ``home_view`` reads them."""
    now = utcnow()
    p = scope.policy
    quotes: list[QuoteView] = []
    invoices: list[InvoiceView] = []
    jobs: list[Sequence[Any]] = []
    turns: list[datetime] = []
    for row in rows:
        if row.list == QUOTE and p.shows("quotes"):
            quote = billing.quote_view(scope, row)
            if quote.state == "pending":  # not expired since it was written
                quotes.append(quote)
                turns += [row.expires_at] if row.expires_at is not None else []
        elif row.list == INVOICE and p.shows("invoices"):
            invoices.append(billing.invoice_view(scope, row))
            turns += [row.due_at] if row.due_at is not None else []
        elif row.list == JOB and p.shows("jobs"):
            where = (row.line1, row.line2, row.city, row.region, row.postcode)
            jobs.append((row.id, row.number, row.title, row.status, row.scheduled_start, *where))
    return HomeView(
        quotes=quotes,
        invoices=invoices,
        jobs=_cards(p, jobs),
        turns_at=min((at for at in turns if at >= now), default=None),
    )


def _jobs_by_id(db: Session, scope: Scope, ids: set[int]) -> dict[int, Job]:
    if not ids:
        return {}
    rows = db.scalars(select(Job).where(Job.id.in_(ids), Job.customer_id == scope.customer_id))
    return {j.id: j for j in rows}


def _shared[F: (Document, Photo)](
    db: Session, scope: Scope, model: type[F], job_id: int | None
) -> list[F]:
    """The customer's files of one kind that staff marked shareable, newest first."""
    stmt = select(model).where(
        model.workspace_id == scope.workspace_id,
        model.customer_id == scope.customer_id,
        model.review_status == "shareable",
    )
    if job_id is not None:
        stmt = stmt.where(model.job_id == job_id)
    return list(db.scalars(stmt.order_by(model.created_at.desc(), model.id.desc())))


def list_documents(db: Session, scope: Scope, *, job_id: int | None = None) -> list[DocumentView]:
    """Documents staff marked shareable, newest first."""
    if not scope.policy.shows("documents"):
        return []
    docs = _shared(db, scope, Document, job_id)
    p = scope.policy
    jobs = (
        _jobs_by_id(db, scope, {d.job_id for d in docs if d.job_id})
        if _linked(scope, "documents")
        else {}
    )
    views = []
    for d in docs:
        filename = d.filename if p.shows("documents", "filename") else None
        title = d.title if p.shows("documents", "title") else None
        label = title or filename or f"Document added {d.created_at:%d %b %Y}"
        views.append(
            DocumentView(
                d.id, label, filename, _job_label(p, jobs.get(d.job_id or 0)), d.created_at
            )
        )
    return views


def list_photos(db: Session, scope: Scope, *, job_id: int | None = None) -> list[PhotoView]:
    """Photos staff marked shareable, newest first."""
    if not scope.policy.shows("photos"):
        return []
    photos = _shared(db, scope, Photo, job_id)
    p = scope.policy
    jobs = (
        _jobs_by_id(db, scope, {x.job_id for x in photos if x.job_id})
        if _linked(scope, "photos")
        else {}
    )
    views = []
    for x in photos:
        caption = x.caption if p.shows("photos", "caption") and x.caption else None
        job_label = _job_label(p, jobs.get(x.job_id or 0))
        alt = caption or (f"Photo of {job_label}" if job_label else "Photo")
        taken = x.taken_at if p.shows("photos", "taken_at") else None
        views.append(PhotoView(x.id, alt, caption, taken, job_label))
    return views


def require_section(scope: Scope, section: str) -> None:
    """A hidden section's pages do not exist for customers."""
    if not scope.policy.shows(section):
        raise NotFound(MISSING)
