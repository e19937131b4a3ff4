"""Request service: the form, sending it (with optional photos), and the confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from server.api.deps import DB
from server.domain import service_requests
from server.domain.errors import Conflict, DomainError, Invalid, NotFound
from server.domain.portal_view_models import MISSING
from server.domain.service_requests import RequestForm
from server.domain.uploads import CleanFile, clean_image
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
    settings = request.app.state.settings
    uploads = [u for u in data.getlist("photos") if isinstance(u, UploadFile) and u.filename]
    photos: list[CleanFile] = []
    errors: dict[str, str] = {}
    for upload in uploads[: service_requests.MAX_PHOTOS + 1]:
        raw = await upload.read(settings.max_upload_bytes + 1)
        try:
            photos.append(
                clean_image(
                    raw,
                    max_bytes=settings.max_upload_bytes,
                    max_pixels=settings.max_image_pixels,
                )
            )
        except DomainError as exc:
            errors["photos"] = f"{upload.filename}: {exc.detail}"
            break
    if len(uploads) > service_requests.MAX_PHOTOS:
        errors["photos"] = f"Add at most {service_requests.MAX_PHOTOS} photos."
    try:
        if errors:
            raise Invalid("Some details need attention.", errors=errors)
        sent = service_requests.submit(db, ctx.scope, ctx.actor, form, photos)
    except Invalid as exc:
        merged = {**service_requests.check(db, ctx.scope, form, len(uploads)), **exc.errors}
        return _form_page(request, ctx, db, status=422, form=form, errors=merged)
    except Conflict:
        raise NotFound(MISSING) from None
    return RedirectResponse(f"{ctx.base}/requests/{sent.id}", status_code=303)


@router.get("/requests/{request_id}")
def confirmation(request: Request, ctx: Customer, db: DB, request_id: int) -> Response:
    """What was sent, and what happens next."""
    sent, address = service_requests.confirmation(db, ctx.scope, request_id)
    return render(
        request, "portal/request_sent.html", ctx, nav="request", sent=sent, address=address
    )
