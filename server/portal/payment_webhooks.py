"""Stripe's webhook: the one POST under /p/ without a CSRF token or Origin check.

Stripe is not a browser; its signature, checked with the stripe library, is what makes the
request trustworthy. Each event id is processed once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from server.db.models import Workspace
from server.deps import DB, public_base_url
from server.domain.branding import published_branding
from server.domain.payment_events import handle_event
from server.domain.payments import ReceiptLinks
from server.domain.portal_visits import workspace_by_slug
from server.payments import PaymentsNotConfigured, provider_named
from server.payments.base import InvalidWebhook, PaymentProvider, WebhookEvent

router = APIRouter()


def hook_workspace(slug: str, db: DB) -> Workspace:
    """The workspace of a webhook path, without the coming-soon check (a sync dependency, so
    the database is never touched on the event loop)."""
    return workspace_by_slug(db, slug)


HookWorkspace = Annotated[Workspace, Depends(hook_workspace)]


def portal_url(request: Request, slug: str) -> str:
    """The absolute address of this portal, for links that leave the browser (emails, Stripe)."""
    return f"{public_base_url(request)}/p/{slug}"


def receipt_links(request: Request, ws: Workspace, logo_file_id: int | None) -> ReceiptLinks:
    """Where the receipt email points, and its logo."""
    url = portal_url(request, ws.slug)
    return ReceiptLinks(url, f"{url}/logo/{logo_file_id}" if logo_file_id else None)


def _process(
    request: Request, db: Session, ws: Workspace, provider: PaymentProvider, event: WebhookEvent
) -> str:
    links = receipt_links(request, ws, published_branding(ws).logo_file_id)
    outcome = handle_event(db, ws, provider, event, links)
    db.commit()
    return outcome


@router.post("/payments/stripe/webhook")
async def stripe_webhook(request: Request, ws: HookWorkspace, db: DB) -> Response:
    """Stripe's events, verified by signature and processed once each."""
    payload = await request.body()
    try:
        provider = provider_named("stripe", request.app.state.settings)
        event = provider.verify_webhook(payload, request.headers.get("stripe-signature"))
    except InvalidWebhook as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)
    except PaymentsNotConfigured as exc:
        return JSONResponse({"detail": str(exc)}, status_code=503)
    # The request's own session: on SQLite a second one would wait on this one's write lock.
    outcome = await run_in_threadpool(_process, request, db, ws, provider, event)
    return JSONResponse({"received": True, "outcome": outcome})
