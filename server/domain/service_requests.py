"""A customer's request for work: it becomes a service request and a new job in the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Address, Job, Photo, ServiceRequest, StoredFile
from server.domain import throttle
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.errors import Conflict, Invalid, TooManyRequests
from server.domain.follow_up_causes import request_submitted
from server.domain.portal_view_models import Scope
from server.domain.uploads import CleanFile

MAX_PHOTOS = 5
# Each request costs the office a job to read and the server photos to re-encode: a signed-in
# customer may send this many in a window, which no real customer comes near.
REQUESTS_PER_WINDOW = 10
REQUEST_WINDOW = timedelta(hours=1)
TOO_MANY = (
    "You have sent a lot of requests in the last hour. Please wait a while, or call us if "
    "it is urgent."
)


@dataclass(frozen=True)
class RequestForm:
    """What the customer typed into the request form."""

    description: str
    address_id: int | None
    preferred_times: str


def addresses(db: Session, scope: Scope) -> list[Address]:
    """The customer's service addresses, to choose from."""
    return list(
        db.scalars(
            select(Address)
            .where(
                Address.workspace_id == scope.workspace_id,
                Address.customer_id == scope.customer_id,
            )
            .order_by(Address.id)
        )
    )


def take_turn(db: Session, account_id: int) -> None:
    """Count one attempt to send a request; ``TooManyRequests`` past the account's limit."""
    if throttle.over(db, f"service-request:{account_id}", REQUESTS_PER_WINDOW, REQUEST_WINDOW):
        raise TooManyRequests(TOO_MANY)


def check(db: Session, scope: Scope, form: RequestForm, photo_count: int) -> dict[str, str]:
    """Plain-English problems with the form, by field (empty when it can be sent)."""
    errors: dict[str, str] = {}
    text = form.description.strip()
    if len(text) < 5:
        errors["description"] = "Tell us what you need, in a few words at least."
    elif len(text) > 4000:
        errors["description"] = "Keep the description under 4000 characters."
    if len(form.preferred_times) > 500:
        errors["preferred_times"] = "Keep the preferred times under 500 characters."
    known = {a.id for a in addresses(db, scope)}
    if form.address_id is None and known:
        errors["address_id"] = "Choose the address where the work is needed."
    elif form.address_id is not None and form.address_id not in known:
        errors["address_id"] = "Choose one of your addresses from the list."
    if photo_count > MAX_PHOTOS:
        errors["photos"] = f"Add at most {MAX_PHOTOS} photos."
    return errors


def submit(
    db: Session, scope: Scope, actor: Actor, form: RequestForm, photos: list[CleanFile]
) -> ServiceRequest:
    """Record the request, its new job (source portal, status requested), any photos (held
    for review) and its follow-up item."""
    if not scope.policy.allows("request_service"):
        raise Conflict("Service cannot be requested online. Please contact us.")
    errors = check(db, scope, form, len(photos))
    if errors:
        raise Invalid("Some details need attention.", errors=errors)
    now = utcnow()
    text = form.description.strip()
    request = ServiceRequest(
        workspace_id=scope.workspace_id,
        customer_id=scope.customer_id,
        contact_id=actor.id,
        address_id=form.address_id,
        description=text,
        preferred_times=form.preferred_times.strip() or None,
        status="requested",
        created_at=now,
    )
    db.add(request)
    db.flush()
    first_line = text.splitlines()[0]
    job = Job(
        workspace_id=scope.workspace_id,
        customer_id=scope.customer_id,
        number=f"REQ-{request.id}",
        title=first_line[:80] + ("…" if len(first_line) > 80 else ""),
        description=text,
        internal_status="requested",
        address_id=form.address_id,
        source="portal",
        created_at=now,
        updated_at=now,
    )
    db.add(job)
    db.flush()
    request.job_id = job.id
    photo_ids: list[int] = []
    for clean in photos:
        stored = StoredFile(
            workspace_id=scope.workspace_id,
            content_type=clean.content_type,
            size=len(clean.data),
            sha256=clean.sha256,
            width=clean.width,
            height=clean.height,
            data=clean.data,
        )
        db.add(stored)
        db.flush()
        photo = Photo(
            workspace_id=scope.workspace_id,
            customer_id=scope.customer_id,
            job_id=job.id,
            service_request_id=request.id,
            file_id=stored.id,
            review_status="pending",
            caption="Sent with the service request",
        )
        db.add(photo)
        db.flush()
        photo_ids.append(photo.id)
        record_change(db, scope.workspace_id, "photo", photo.id, "upsert")
    record_change(db, scope.workspace_id, "service_request", request.id, "upsert")
    record_change(db, scope.workspace_id, "job", job.id, "upsert")
    request_submitted(db, request, job, photo_ids)
    record_event(
        db,
        scope.workspace_id,
        actor,
        "portal.service_requested",
        customer_id=scope.customer_id,
        contact_id=actor.id,
        service_request_id=request.id,
        job_id=job.id,
        photos=len(photos),
    )
    db.commit()
    return request
