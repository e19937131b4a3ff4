"""The customer's page of a service request: what they sent and where it stands, as a view
model (no database rows reach the template)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.models import Address, Job, Photo, ServiceRequest
from server.domain.errors import NotFound
from server.domain.portal_view_models import MISSING, Scope

# What the customer reads for each status: a heading and what happens next.
STATUS_TEXT = {
    "requested": ("Received", "We will contact you to arrange a time."),
    "needs_info": ("We have a question", "Please answer the question below so we can book it."),
    "accepted": ("Booked", "Your visit is booked."),
    "declined": ("Not taken on", "We are sorry that we cannot help with this request."),
}


@dataclass(frozen=True)
class RequestView:
    """A sent request as its page shows it; times and names only as the policy allows."""

    id: int
    description: str
    address: str | None
    preferred_times: str | None
    sent_at: datetime
    status: str
    status_label: str
    next_step: str
    question: str | None
    asked_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    decline_reason: str | None
    visit_start: datetime | None
    visit_end: datetime | None
    technician_name: str | None
    photo_count: int
    job_id: int | None
    can_answer: bool


def request_view(db: Session, scope: Scope, request_id: int) -> RequestView:
    """The customer's own request; another customer's or a missing one is "not found"."""
    found = db.execute(
        select(ServiceRequest, Address, Job)
        .outerjoin(Address, Address.id == ServiceRequest.address_id)
        .outerjoin(Job, Job.id == ServiceRequest.job_id)
        .where(
            ServiceRequest.id == request_id,
            ServiceRequest.workspace_id == scope.workspace_id,
            ServiceRequest.customer_id == scope.customer_id,
        )
    ).one_or_none()
    if found is None:
        raise NotFound(MISSING)
    request, address, job = found
    photos = db.scalar(
        select(func.count()).select_from(Photo).where(Photo.service_request_id == request.id)
    )
    label, next_step = STATUS_TEXT.get(request.status, STATUS_TEXT["requested"])
    policy = scope.policy
    booked = request.status == "accepted" and job is not None
    shows_time = booked and policy.shows("jobs", "scheduled_time")
    return RequestView(
        id=request.id,
        description=request.description,
        address=address.one_line() if address else None,
        preferred_times=request.preferred_times,
        sent_at=request.created_at,
        status=request.status,
        status_label=label,
        next_step=next_step,
        question=request.question,
        asked_at=request.asked_at,
        answer=request.answer,
        answered_at=request.answered_at,
        decline_reason=request.decline_reason if request.status == "declined" else None,
        visit_start=job.scheduled_start if shows_time and job else None,
        visit_end=job.scheduled_end if shows_time and job else None,
        technician_name=(
            job.technician_name
            if booked and job and policy.shows("jobs", "technician_name")
            else None
        ),
        photo_count=photos or 0,
        job_id=job.id if job is not None and policy.shows("jobs") else None,
        can_answer=request.status == "needs_info",
    )
