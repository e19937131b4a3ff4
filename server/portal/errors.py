"""Portal error pages and the app-level hooks of the portal (called once from create_app)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import FormerSlug, Workspace
from server.domain.portal_assets import workspace_at
from server.domain.portal_sessions import resolve_session
from server.portal import static_files
from server.portal.deps import (
    SESSION_COOKIE,
    PortalClosed,
    PreviewNotice,
    SignInRequired,
    is_loopback_http,
    previews_live_portal,
)
from server.portal.render import PublicContext, public_context, render

HEADINGS = {
    400: "Something was wrong with that request",
    403: "That did not work",
    404: "We could not find that page",
    405: "That did not work",
    410: "This link no longer works",
    413: "That file is too large",
    415: "That file type is not accepted",
    422: "Some details need attention",
    429: "Please wait a moment",
}


def _slug_of(request: Request) -> str | None:
    parts = request.url.path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "p" and parts[2] else None


def render_error(request: Request, status: int, detail: str) -> Response:
    """An error under /p/ as a branded page; a portal that is not active shows coming soon."""
    slug = _slug_of(request)
    # A session of its own: the request's session is already closed when handlers run.
    with request.app.state.read_sessionmaker() as db:
        ws = workspace_at(db, slug)
        if ws is None and slug and status == 404:
            moved = _moved(db, request, slug)
            if moved is not None:
                return moved
        if ws is None:
            # No such portal: an unbranded page that names nobody.
            ws = Workspace(slug=slug or "unknown", name="Customer portal")
        elif ws.portal_status != "active":
            found = resolve_session(db, ws.id, request.cookies.get(SESSION_COOKIE))
            if found is None or not previews_live_portal(found[0]):
                return coming_soon(request, ws)
        if status == 404 and ws.id is not None:
            # One answer for every missing or foreign object, whoever raised it, so a 404
            # never tells whether something exists for another customer.
            detail = "We could not find that page."
        ctx = public_context(request, ws)
        ctx.new_form_cookie = False
        heading = HEADINGS.get(status, "Something went wrong")
        return render(
            request,
            "portal/error.html",
            ctx,
            status=status,
            heading=heading,
            detail=detail,
            status_code=status,
        )


def _moved(db: Session, request: Request, slug: str) -> Response | None:
    """A redirect from a portal path the workspace used before to the same page at its
    current path (printed links and emails already sent keep working), or None."""
    current = db.scalar(
        select(Workspace.slug)
        .join(FormerSlug, FormerSlug.workspace_id == Workspace.id)
        .where(FormerSlug.slug == slug)
    )
    if current is None:
        return None
    rest = request.url.path[len(f"/p/{slug}") :]
    target = f"/p/{current}{rest or '/'}"
    if request.url.query:
        target += "?" + request.url.query
    # 308 keeps a form's method and body; a GET is simply sent on (301, cached by browsers).
    code = 301 if request.method in ("GET", "HEAD") else 308
    return RedirectResponse(target, status_code=code)


def coming_soon(request: Request, ws: Workspace) -> Response:
    """The branded placeholder of a portal that is not open yet."""
    ctx = public_context(request, ws)
    ctx.new_form_cookie = False
    return render(request, "portal/coming_soon.html", ctx)


async def _closed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PortalClosed)
    return coming_soon(request, exc.workspace)


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = f"/p/{exc.slug}/sign-in"
    if exc.next_path and exc.next_path.startswith(f"/p/{exc.slug}/"):
        target += "?next=" + exc.next_path
    response = RedirectResponse(target, status_code=303)
    if SESSION_COOKIE in request.cookies:
        response.delete_cookie(
            SESSION_COOKIE,
            path=f"/p/{exc.slug}",
            secure=not is_loopback_http(request),
            httponly=True,
            samesite="lax",
        )
    return response


async def _preview(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PreviewNotice)
    return render(request, "portal/preview_notice.html", exc.ctx)


def install(app: FastAPI) -> None:
    """Error pages for /p/, the portal's exception handlers, and the static files."""
    app.state.html_error_renderer = render_error
    app.add_exception_handler(PortalClosed, _closed)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(PreviewNotice, _preview)
    static_files.install(app)


__all__ = ["PublicContext", "install", "render_error"]
