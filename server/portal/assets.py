"""Public assets of a portal: the brand colour stylesheet, the published logo and its favicon.

They stay reachable while the portal is coming soon, because the coming-soon page uses them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.db.models import StoredFile, Workspace
from server.deps import DB, current_staff
from server.domain.errors import NotFound, Unauthorized
from server.domain.permissions import Permission
from server.domain.portal_assets import portal_logo
from server.portal.deps import SESSION_COOKIE
from server.portal.favicon import favicon_png
from server.portal.theme import theme_css

router = APIRouter()


@router.get("/theme/{primary}-{accent}.css")
def theme(primary: str, accent: str) -> Response:
    """CSS variables of the brand colours, with text colours that keep WCAG AA contrast."""
    css = theme_css(primary, accent)
    if css is None:
        raise NotFound("We could not find that page.")
    return Response(
        css,
        media_type="text/css",
        headers={"cache-control": "public, max-age=31536000, immutable"},
    )


def _staff_may_preview(request: Request, db: DB, ws: Workspace) -> bool:
    """A staff bearer token of this workspace that may preview (the Branding panel's view)."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return False
    try:
        staff = current_staff(request, db, authorization)
    except Unauthorized:
        return False
    return staff.workspace.id == ws.id and Permission.PREVIEW in staff.permissions


def _logo(request: Request, db: DB, slug: str, file_id: int) -> StoredFile:
    """The published logo, or the draft's for a staff preview; anything else is not found."""
    return portal_logo(
        db,
        slug,
        file_id,
        request.cookies.get(SESSION_COOKIE),
        staff_preview=lambda ws: _staff_may_preview(request, db, ws),
    )


_IMAGE_HEADERS = {
    "cache-control": "private, max-age=300",
    "content-security-policy": "default-src 'none'; sandbox",
}


@router.get("/logo/{file_id}")
def logo(slug: str, file_id: int, request: Request, db: DB) -> Response:
    """The workspace's published logo (a staff preview may also see the draft logo)."""
    stored = _logo(request, db, slug, file_id)
    return Response(stored.data, media_type=stored.content_type, headers=_IMAGE_HEADERS)


@router.get("/favicon/{file_id}.png")
def favicon(slug: str, file_id: int, request: Request, db: DB) -> Response:
    """The portal's favicon: the logo fitted into a square (browsers show it in tabs)."""
    stored = _logo(request, db, slug, file_id)
    return Response(favicon_png(stored.data), media_type="image/png", headers=_IMAGE_HEADERS)
