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


def portal_page(base: str, next_path: str | None) -> str:
    """Where to go after opening the link: ``next`` when it is a page of this portal (a path
    like ``/jobs/12``), else the home page; never another site or another portal."""
    if (
        not next_path
        or len(next_path) > 500
        or not next_path.startswith("/")
        or next_path.startswith("//")
        or "\\" in next_path
        or any(ord(ch) < 33 for ch in next_path)
    ):
        return f"{base}/"
    return f"{base}{next_path}"


@router.get("/preview/{token}")
def open_preview(
    request: Request, slug: str, db: DB, token: str, next: str | None = None
) -> Response:
    """Exchange the link for a preview session and show the contact's page ``next`` (a path
    under the portal, e.g. ``/jobs/12``), or their home page."""
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
    response = RedirectResponse(portal_page(f"/p/{ws.slug}", next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        fresh,
        path=f"/p/{ws.slug}",
        httponly=True,
        samesite="lax",
        secure=not is_loopback_http(request),
    )
    return response
