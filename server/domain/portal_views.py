"""What a customer sees: view models built from the rows, filtered by the visibility policy.

This is where data leaves the server for the portal, so a hidden field is never copied into a
view model: templates can only show what is here. Every query is scoped by workspace and
customer; anything else is the same NotFound as a missing row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from server.db.models import (
    Address,
    Document,
    Job,
    Photo,
)
from server.domain.errors import NotFound
from server.domain.portal_billing_views import list_invoices, list_quotes
from server.domain.portal_view_models import (
    MISSING,
    DocumentView,
    HomeView,
    JobView,
    PhotoView,
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


class JobFields(Protocol):
    """What a job view is made from: a ``Job`` row, or a result row of the same columns."""

    id: int
    number: str
    title: str
    description: str | None
    internal_status: str
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    technician_name: str | None
    internal_notes: str | None
    completed_at: datetime | None


# The columns a job view reads: lists load these as plain rows, not ORM objects, because
# building 50 Job and Address objects was most of the home page's time.
_JOB_COLUMNS = (
    Job.id,
    Job.number,
    Job.title,
    Job.description,
    Job.internal_status,
    Job.scheduled_start,
    Job.scheduled_end,
    Job.technician_name,
    Job.internal_notes,
    Job.completed_at,
)
_ADDRESS_COLUMNS = (Address.line1, Address.line2, Address.city, Address.region, Address.postcode)


def _job_fields(policy: VisibilityPolicy) -> dict[str, bool]:
    return {f: policy.shows("jobs", f) for f in policy.fields["jobs"]}


def job_view(
    scope: Scope,
    job: JobFields,
    address: str | None,
    photos: list[PhotoView] | None = None,
    documents: list[DocumentView] | None = None,
    *,
    shown: dict[str, bool] | None = None,
) -> JobView:
    """One job through the policy (``address`` on one line; ``shown`` the policy's job
    fields, when the caller already worked them out for a whole list)."""
    p = scope.policy
    shown = shown or _job_fields(p)
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


def list_jobs(db: Session, scope: Scope, *, active_only: bool = False) -> list[JobView]:
    """The customer's jobs, newest first; empty when the jobs section is hidden."""
    if not scope.policy.shows("jobs"):
        return []
    stmt = (
        select(*_JOB_COLUMNS, *_ADDRESS_COLUMNS)
        .outerjoin(Address, _AT_ADDRESS)
        .where(*_owned(scope))
        .order_by(Job.scheduled_start.desc(), Job.id.desc())
    )
    if active_only:
        stmt = stmt.where(Job.internal_status.in_(ACTIVE_JOB_STATUSES))
    shown = _job_fields(scope.policy)
    return [
        job_view(
            scope,
            row,
            _one_line(row.line1, row.line2, row.city, row.region, row.postcode),
            shown=shown,
        )
        for row in db.execute(stmt)
    ]


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
    return job_view(scope, job, address.one_line() if address else None, photos, docs)


def _linked(scope: Scope, section: str) -> bool:
    return scope.policy.shows(section) and scope.policy.shows(section, "job_link")


def home_view(db: Session, scope: Scope) -> HomeView:
    """The home page: quotes waiting, invoices due, active jobs."""
    return HomeView(
        quotes=list_quotes(db, scope, waiting_only=True),
        invoices=list_invoices(db, scope, due_only=True),
        jobs=list_jobs(db, scope, active_only=True),
    )


def _jobs_by_id(db: Session, scope: Scope, ids: set[int]) -> dict[int, Job]:
    if not ids:
        return {}
    rows = db.scalars(select(Job).where(Job.id.in_(ids), Job.customer_id == scope.customer_id))
    return {j.id: j for j in rows}


def list_documents(db: Session, scope: Scope, *, job_id: int | None = None) -> list[DocumentView]:
    """Documents staff marked shareable, newest first."""
    if not scope.policy.shows("documents"):
        return []
    stmt = select(Document).where(
        Document.workspace_id == scope.workspace_id,
        Document.customer_id == scope.customer_id,
        Document.review_status == "shareable",
    )
    if job_id is not None:
        stmt = stmt.where(Document.job_id == job_id)
    docs = list(db.scalars(stmt.order_by(Document.created_at.desc(), Document.id.desc())))
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
    stmt = select(Photo).where(
        Photo.workspace_id == scope.workspace_id,
        Photo.customer_id == scope.customer_id,
        Photo.review_status == "shareable",
    )
    if job_id is not None:
        stmt = stmt.where(Photo.job_id == job_id)
    photos = list(db.scalars(stmt.order_by(Photo.created_at.desc(), Photo.id.desc())))
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
