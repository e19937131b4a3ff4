"""The office's answer to a service request: accept (schedule the job), ask, or decline.

A request arrives as a job in "requested". Accepting schedules that job; asking puts the
request in "needs_info" until the customer answers on the portal (the answer reopens the
follow-up item); declining closes the job as "declined" with a reason the customer sees.
The customer is emailed a question or a refusal in the same transaction. Each decision is
single-shot: the request row is locked and its status checked, so two people cannot both
accept, or accept what another just declined.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.base import utcnow
from server.db.models import Address, Contact, FollowUp, Job, Photo, ServiceRequest, Workspace
from server.domain.audit import Actor, record_event
from server.domain.branding import published_branding
from server.domain.changes import record_change
from server.domain.errors import Conflict, Gone, Invalid, NotFound
from server.domain.follow_up import file_item, reopen, update_details
from server.domain.follow_up_causes import address_text, request_filing
from server.domain.local_formats import format_when
from server.domain.messages import request_declined_message, request_question_message
from server.domain.outbox import queue_email
from server.wire.follow_up import AcceptRequest, ServiceRequestOut

MISSING = "That service request is not in this workspace."
CUSTOMER_GONE = (
    "The customer who sent this request has been deleted, so it can no longer be accepted, "
    "asked about or declined. Its follow-up item is kept, marked 'customer deleted'."
)
OPEN_STATUSES = ("requested", "needs_info")


def find(db: Session, workspace_id: int, request_id: int, *, lock: bool = False) -> ServiceRequest:
    """A request of the workspace; 410 when its customer was deleted (its item remains)."""
    query = select(ServiceRequest).where(
        ServiceRequest.id == request_id, ServiceRequest.workspace_id == workspace_id
    )
    found = db.scalar(query.with_for_update() if lock else query)
    if found is not None:
        return found
    orphan = db.scalar(
        select(FollowUp.id).where(
            FollowUp.workspace_id == workspace_id,
            FollowUp.service_request_id == request_id,
            FollowUp.customer_deleted.is_(True),
        )
    )
    raise Gone(CUSTOMER_GONE) if orphan else NotFound(MISSING)


def item_of(db: Session, request: ServiceRequest) -> FollowUp | None:
    """The request's follow-up item."""
    return db.scalar(
        select(FollowUp).where(
            FollowUp.workspace_id == request.workspace_id,
            FollowUp.dedupe_key == f"service_request:{request.id}",
        )
    )


def request_out(db: Session, request: ServiceRequest) -> ServiceRequestOut:
    """The staff view of a request, with its job's schedule and its follow-up item's id."""
    job = db.get(Job, request.job_id) if request.job_id else None
    address = db.get(Address, request.address_id) if request.address_id else None
    photos = db.scalars(
        select(Photo.id).where(Photo.service_request_id == request.id).order_by(Photo.id)
    ).all()
    item = item_of(db, request)
    return ServiceRequestOut(
        id=request.id,
        status=request.status,
        customer_id=request.customer_id,
        contact_id=request.contact_id,
        job_id=request.job_id,
        job_number=job.number if job else None,
        description=request.description,
        preferred_times=request.preferred_times,
        address=address_text(address),
        photo_ids=list(photos),
        question=request.question,
        asked_at=request.asked_at,
        answer=request.answer,
        answered_at=request.answered_at,
        decline_reason=request.decline_reason,
        scheduled_start=job.scheduled_start if job else None,
        scheduled_end=job.scheduled_end if job else None,
        technician_name=job.technician_name if job else None,
        created_at=request.created_at,
        decided_at=request.decided_at,
        follow_up_id=item.id if item else None,
    )


def _still_open(request: ServiceRequest, ws: Workspace, doing: str) -> None:
    if request.status in OPEN_STATUSES:
        return
    when = format_when(request.decided_at, ws)
    done = "declined" if request.status == "declined" else "accepted"
    raise Conflict(f"This request was already {done} on {when}, so it cannot be {doing} now.")


def _refresh_item(
    db: Session, request: ServiceRequest, actor: Actor, done_note: str | None
) -> None:
    """Bring the request's item up to date (filing it if it was never filed)."""
    item = item_of(db, request)
    if item is None:
        contact = db.get(Contact, request.contact_id) if request.contact_id else None
        job = db.get(Job, request.job_id) if request.job_id else None
        filing = request_filing(request, job, contact.name if contact else "the customer", None, [])
        item = file_item(db, request.workspace_id, filing)
    item.request_status = request.status
    job = db.get(Job, request.job_id) if request.job_id else None
    if done_note is not None:
        item.state = "done"
        item.done_note = done_note
        item.done_by_name = actor.name
        item.done_at = utcnow()
    update_details(
        db,
        item,
        question=request.question,
        asked_at=request.asked_at,
        answer=request.answer,
        answered_at=request.answered_at,
        reason=request.decline_reason,
        scheduled_start=job.scheduled_start if job else None,
        scheduled_end=job.scheduled_end if job else None,
        technician_name=job.technician_name if job else None,
    )


def _changed(
    db: Session, request: ServiceRequest, actor: Actor, action: str, **more: object
) -> None:
    record_change(db, request.workspace_id, "service_request", request.id, "upsert")
    if request.job_id:
        record_change(db, request.workspace_id, "job", request.job_id, "upsert")
    record_event(
        db,
        request.workspace_id,
        actor,
        action,
        customer_id=request.customer_id,
        contact_id=request.contact_id,
        service_request_id=request.id,
        job_id=request.job_id,
        **more,
    )


def accept(
    db: Session, ws: Workspace, actor: Actor, request_id: int, body: AcceptRequest
) -> ServiceRequest:
    """Schedule the request's job; the item is done. The caller commits."""
    request = find(db, ws.id, request_id, lock=True)
    _still_open(request, ws, "accepted")
    if body.scheduled_end <= body.scheduled_start:
        message = "The visit must end after it starts."
        raise Invalid(message, errors={"scheduled_end": message})
    now = utcnow()
    job = db.get(Job, request.job_id) if request.job_id else None
    if job is None:
        raise Conflict("This request's job was deleted. Ask the customer to send it again.")
    job.internal_status = "scheduled"
    job.scheduled_start = body.scheduled_start
    job.scheduled_end = body.scheduled_end
    job.technician_name = body.technician_name
    if body.note:
        job.internal_notes = "\n\n".join(p for p in (job.internal_notes, body.note) if p)
    job.updated_at = now
    request.status = "accepted"
    request.decided_at = now
    when = format_when(body.scheduled_start, ws)
    note = f"Accepted: scheduled for {when}" + (
        f" with {body.technician_name}." if body.technician_name else "."
    )
    db.flush()
    _refresh_item(db, request, actor, note + (f" {body.note}" if body.note else ""))
    _changed(
        db,
        request,
        actor,
        "service_request.accepted",
        scheduled_start=body.scheduled_start.isoformat(),
    )
    return request


def _email_customer(
    db: Session, ws: Workspace, request: ServiceRequest, base_url: str, question: str | None
) -> None:
    contact = db.get(Contact, request.contact_id) if request.contact_id else None
    if contact is None or not contact.email:
        return
    link = f"{base_url.rstrip('/')}/p/{ws.slug}/requests/{request.id}"
    branding = published_branding(ws)
    if question is not None:
        message = request_question_message(
            branding, contact.name, request.description, question, link
        )
        kind = "request_question"
    else:
        reason = request.decline_reason or ""
        message = request_declined_message(
            branding, contact.name, request.description, reason, link
        )
        kind = "request_declined"
    queue_email(db, ws.id, kind, contact.email, message, customer_id=request.customer_id)


def ask(
    db: Session, ws: Workspace, actor: Actor, request_id: int, question: str, base_url: str
) -> ServiceRequest:
    """Ask the customer for more; they see it on the portal and by email. The caller commits."""
    request = find(db, ws.id, request_id, lock=True)
    _still_open(request, ws, "asked about")
    request.status = "needs_info"
    request.question = question
    request.asked_at = utcnow()
    request.answer = None
    request.answered_at = None
    _refresh_item(db, request, actor, None)
    _email_customer(db, ws, request, base_url, question)
    _changed(db, request, actor, "service_request.asked", question=question)
    return request


def decline(
    db: Session, ws: Workspace, actor: Actor, request_id: int, reason: str, base_url: str
) -> ServiceRequest:
    """Turn the request down with a reason the customer sees; its job closes as declined."""
    request = find(db, ws.id, request_id, lock=True)
    _still_open(request, ws, "declined")
    now = utcnow()
    request.status = "declined"
    request.decline_reason = reason
    request.decided_at = now
    job = db.get(Job, request.job_id) if request.job_id else None
    if job is not None:
        job.internal_status = "declined"
        job.updated_at = now
    db.flush()
    _refresh_item(db, request, actor, f"Declined: {reason}")
    _email_customer(db, ws, request, base_url, None)
    _changed(db, request, actor, "service_request.declined", reason=reason)
    return request


def answer(
    db: Session, workspace_id: int, customer_id: int, actor: Actor, request_id: int, text: str
) -> ServiceRequest:
    """The customer's answer to the office's question: the request is back with the office
    and its item open again, showing the answer. The caller commits."""
    request = db.scalar(
        select(ServiceRequest)
        .where(
            ServiceRequest.id == request_id,
            ServiceRequest.workspace_id == workspace_id,
            ServiceRequest.customer_id == customer_id,
        )
        .with_for_update()
    )
    if request is None:
        raise NotFound("We could not find that request.")
    if request.status != "needs_info":
        raise Conflict("We already have your answer, thank you. We will be in touch.")
    text = text.strip()
    if not 2 <= len(text) <= 2000:
        message = "Write your answer (up to 2000 characters)."
        raise Invalid(message, errors={"answer": message})
    request.status = "requested"
    request.answer = text
    request.answered_at = utcnow()
    item = item_of(db, request)
    if item is not None:
        # Back at the top of the inbox, open, whoever had finished it.
        reopen(item)
        item.happened_at = request.answered_at
    _refresh_item(db, request, actor, None)
    _changed(db, request, actor, "portal.request_answered")
    return request
