"""Portal quote answers: approve and decline (the list and the quote itself are in ``pages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from server.deps import DB, RowIdPath
from server.domain import portal_billing_views as billing
from server.domain import quotes as quote_service
from server.domain.errors import Conflict, Invalid
from server.portal.deps import CustomerForm, SignedInContext
from server.portal.render import render

router = APIRouter()


def quote_page(
    request: Request,
    ctx: SignedInContext,
    db: Session,
    quote_id: int,
    *,
    status: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    typed_name: str = "",
    notice: str | None = None,
) -> Response:
    """One quote with its lines and the approve and decline forms (with the answer's error or
    notice, if any)."""
    model = billing.quote_detail(db, ctx.scope, quote_id)
    return render(
        request,
        "portal/quote.html",
        ctx,
        status=status,
        nav="quotes",
        quote=model,
        error=error,
        errors=errors or {},
        typed_name=typed_name,
        notice=notice,
    )


@router.post("/quotes/{quote_id}/approve")
def approve(
    request: Request,
    ctx: CustomerForm,
    db: DB,
    quote_id: RowIdPath,
    name: Annotated[str, Form(max_length=400)] = "",
    agree: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Approve with a typed name and a ticked box (name, time and address are recorded)."""
    try:
        quote_service.approve(db, ctx.scope, quote_id, ctx.actor, name, agree == "yes")
    except Invalid as exc:
        return quote_page(
            request,
            ctx,
            db,
            quote_id,
            status=422,
            error=exc.detail,
            errors=exc.errors,
            typed_name=name,
        )
    except Conflict as exc:
        return quote_page(request, ctx, db, quote_id, status=409, error=exc.detail)
    return RedirectResponse(f"{ctx.base}/quotes/{quote_id}?done=approved", status_code=303)


@router.post("/quotes/{quote_id}/decline")
def decline(
    request: Request,
    ctx: CustomerForm,
    db: DB,
    quote_id: RowIdPath,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Decline, with an optional reason."""
    try:
        quote_service.decline(db, ctx.scope, quote_id, ctx.actor, reason)
    except (Invalid, Conflict) as exc:
        return quote_page(request, ctx, db, quote_id, status=exc.status_code, error=exc.detail)
    return RedirectResponse(f"{ctx.base}/quotes/{quote_id}?done=declined", status_code=303)
