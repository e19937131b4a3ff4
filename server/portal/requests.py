"""Request service: the form, sending it (with optional photos), and the confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from server.deps import DB, RowIdPath
from server.domain import request_decisions, service_requests
from server.domain.errors import Conflict, DomainError, Invalid, NotFound, TooManyRequests
from server.domain.portal_request_views import request_view
from server.domain.portal_view_models import MISSING
from server.domain.service_requests import MAX_PHOTOS, RequestForm
from server.domain.uploads import CleanFile, clean_image, photos_problem
from server.portal.deps import Customer, CustomerContext, CustomerForm
from server.portal.render import render

router = APIRouter()


def _form_page(
    request: Request,
    ctx: CustomerContext,
    db: DB,
    *,
    status: int = 200,
    form: RequestForm | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    if not ctx.policy.allows("request_service"):
        raise NotFound(MISSING)
    return render(
        request,
        "portal/request.html",
        ctx,
        status=status,
        nav="request",
        addresses=service_requests.addresses(db, ctx.scope),
        form=form or RequestForm("", None, ""),
        errors=errors or {},
        max_photos=service_requests.MAX_PHOTOS,
    )


@router.get("/request")
def request_page(request: Request, ctx: Customer, db: DB) -> Response:
    """The request form."""
    return _form_page(request, ctx, db)


@router.post("/request")
async def send_request(request: Request, ctx: CustomerForm, db: DB) -> Response:
    """Validate, store the photos re-encoded, and create the request and its job."""
    data = await request.form(max_files=10, max_fields=20)
    address_raw = str(data.get("address_id") or "")
    form = RequestForm(
        description=str(data.get("description") or "")[:5000],
        address_id=int(address_raw) if address_raw.isdigit() else None,
        preferred_times=str(data.get("preferred_times") or "")[:600],
    )
    uploads = [u for u in data.getlist("photos") if isinstance(u, UploadFile) and u.filename]
    limit = request.app.state.settings.max_upload_bytes
    raw = [(u.filename or "photo", await u.read(limit + 1)) for u in uploads[: MAX_PHOTOS + 1]]
    # Re-encoding images and the database work run off the event loop.
    return await run_in_threadpool(_submit, request, ctx, db, form, raw, len(uploads))


def _submit(
    request: Request,
    ctx: CustomerContext,
    db: Session,
    form: RequestForm,
    raw: list[tuple[str, bytes]],
    count: int,
) -> Response:
    """Cheap checks first, costly work last: the per-account limit, then the form, then the
    photos' sizes from their headers, and only then decoding and re-encoding them."""
    settings = request.app.state.settings
    try:
        service_requests.take_turn(db, ctx.account.id)
    except TooManyRequests as exc:
        return _form_page(request, ctx, db, status=429, form=form, errors={"form": exc.detail})
    errors = service_requests.check(db, ctx.scope, form, count)
    if errors:
        if raw and "photos" not in errors:
            errors["photos"] = "Please add your photos again once the details above are right."
        return _form_page(request, ctx, db, status=422, form=form, errors=errors)
    too_big = photos_problem([content for _, content in raw], settings.max_image_pixels)
    if too_big:
        return _form_page(request, ctx, db, status=422, form=form, errors={"photos": too_big})
    photos: list[CleanFile] = []
    for filename, content in raw:
        try:
            photos.append(
                clean_image(
                    content,
                    max_bytes=settings.max_upload_bytes,
                    max_pixels=settings.max_image_pixels,
                )
            )
        except DomainError as exc:
            error = {"photos": f"{filename}: {exc.detail}"}
            return _form_page(request, ctx, db, status=422, form=form, errors=error)
    try:
        sent = service_requests.submit(db, ctx.scope, ctx.actor, form, photos)
    except Invalid as exc:
        merged = {**service_requests.check(db, ctx.scope, form, count), **exc.errors}
        return _form_page(request, ctx, db, status=422, form=form, errors=merged)
    except Conflict:
        raise NotFound(MISSING) from None
    return RedirectResponse(f"{ctx.base}/requests/{sent.id}", status_code=303)


@router.get("/requests/{request_id}")
def confirmation(
    request: Request, ctx: Customer, db: DB, request_id: RowIdPath, answered: int = 0
) -> Response:
    """What was sent and where it stands: the office's question (answered here), the
    booked visit, or the reason it was declined."""
    return _request_page(request, ctx, db, request_id, just_answered=bool(answered))


def _request_page(
    request: Request,
    ctx: CustomerContext,
    db: Session,
    request_id: int,
    *,
    status: int = 200,
    answer: str = "",
    errors: dict[str, str] | None = None,
    just_answered: bool = False,
) -> Response:
    view = request_view(db, ctx.scope, request_id)
    return render(
        request,
        "portal/request_sent.html",
        ctx,
        status=status,
        nav="request",
        sent=view,
        answer=answer,
        errors=errors or {},
        just_answered=just_answered,
    )


@router.post("/requests/{request_id}/answer")
async def answer_question(
    request: Request, ctx: CustomerForm, db: DB, request_id: RowIdPath
) -> Response:
    """The customer's answer to the office's question about their request."""
    data = await request.form(max_files=0, max_fields=5)
    text = str(data.get("answer") or "")[:2500]
    return await run_in_threadpool(_answer, request, ctx, db, request_id, text)


def _answer(
    request: Request, ctx: CustomerContext, db: Session, request_id: int, text: str
) -> Response:
    try:
        request_decisions.answer(
            db, ctx.scope.workspace_id, ctx.scope.customer_id, ctx.actor, request_id, text
        )
    except Invalid as exc:
        db.rollback()
        return _request_page(
            request, ctx, db, request_id, status=422, answer=text, errors=exc.errors
        )
    except Conflict as exc:
        db.rollback()
        return _request_page(request, ctx, db, request_id, status=409, errors={"form": exc.detail})
    db.commit()
    return RedirectResponse(f"{ctx.base}/requests/{request_id}?answered=1", status_code=303)
