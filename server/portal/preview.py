"""Opening a staff preview link: the token becomes a read-only session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from server.db.engine import writable
from server.deps import DB
from server.domain import previews
from server.domain.portal_visits import workspace_by_slug
from server.portal.deps import SESSION_COOKIE, is_loopback_http
from server.portal.render import public_context, render

router = APIRouter()


@router.get("/preview/{token}")
def open_preview(request: Request, slug: str, db: DB, token: str) -> Response:
    """Exchange the link for a preview session and show the contact's home page."""
    # Not behind the coming-soon check: offices preview before they go live.
    ws = workspace_by_slug(db, slug)
    # Opening a preview link creates the preview session: the one write behind a GET here.
    with writable(db) as w:
        fresh = previews.open_preview(w, ws, token)
    if fresh is None:
        return render(
            request,
            "portal/message.html",
            public_context(request, ws),
            status=410,
            heading="This preview link no longer works",
            lines=[
                "Preview links work once, for ten minutes. Open a new preview from the console."
            ],
        )
    response = RedirectResponse(f"/p/{ws.slug}/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        fresh,
        path=f"/p/{ws.slug}",
        httponly=True,
        samesite="lax",
        secure=not is_loopback_http(request),
    )
    return response
