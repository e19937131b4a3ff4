"""Public assets of a portal: the brand colour stylesheet and the published logo.

They stay reachable while the portal is coming soon, because the coming-soon page uses them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.deps import DB
from server.domain.errors import NotFound
from server.domain.portal_assets import portal_logo
from server.portal.deps import SESSION_COOKIE
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


@router.get("/logo/{file_id}")
def logo(slug: str, file_id: int, request: Request, db: DB) -> Response:
    """The workspace's published logo (a staff preview may also see the draft logo)."""
    stored = portal_logo(db, slug, file_id, request.cookies.get(SESSION_COOKIE))
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={
            "cache-control": "private, max-age=300",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )
