"""The portal's static files, ``/robots.txt``, ``/favicon.ico`` and text compression.

Static files (the stylesheet, fonts, the default icon) are addressed by a fingerprint of the
whole folder, ``/static/v/<fingerprint>/portal.css``, and sent with a year-long immutable
``Cache-Control``: a release that changes any file changes every address, so a browser never
keeps an old file under a new page. The stylesheet names its fonts relatively, so they share
the fingerprint. The plain ``/static/...`` addresses still answer (revalidated each time).

Pages and stylesheets under ``/p/`` and ``/static/`` are gzip-compressed for browsers that
accept it; the JSON API is left alone (its clients choose their own trade-offs).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
DEFAULT_ICON = "favicon.svg"
# Crawlers may see the sign-in pages (nothing private is served without a session); the
# API and its documents are not for them.
ROBOTS = "User-agent: *\nDisallow: /api/\nDisallow: /docs\nDisallow: /openapi.json\nAllow: /\n"
COMPRESSED_PREFIXES = ("/p/", "/static/")
# Level 5 is within a few percent of level 9's size on these pages at about a third of the CPU.
COMPRESS_LEVEL = 5


def fingerprint(folder: Path = STATIC) -> str:
    """A short hash of every file's path and bytes under ``folder``."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


STATIC_VERSION = fingerprint()
STATIC_BASE = f"/static/v/{STATIC_VERSION}"


def static_url(name: str) -> str:
    """The fingerprinted address of a static file, e.g. ``static_url("portal.css")``."""
    return f"{STATIC_BASE}/{name}"


class FingerprintedFiles(StaticFiles):
    """Static files, cached for a year under the current fingerprint; revalidated otherwise
    (a plain address, or an older release's fingerprint during an upgrade)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, with the ``Cache-Control`` its address earns."""
        parts = path.split("/", 2)
        versioned = len(parts) == 3 and parts[0] == "v"
        response = await super().get_response(parts[2] if versioned else path, scope)
        if response.status_code in (200, 304):
            current = versioned and parts[1] == STATIC_VERSION
            response.headers["cache-control"] = IMMUTABLE if current else REVALIDATE
        return response


class PortalCompression:
    """gzip for the portal's pages and static files only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500, compresslevel=COMPRESS_LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Compress when the path is a page's or a static file's."""
        if scope["type"] == "http" and scope["path"].startswith(COMPRESSED_PREFIXES):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Static files, robots.txt, the default icon and compression."""
    app.mount("/static", FingerprintedFiles(directory=STATIC), name="static")

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> PlainTextResponse:
        """What crawlers may read."""
        return PlainTextResponse(ROBOTS, headers={"cache-control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        """Browsers that ask before reading a page's icon link get the default icon."""
        return RedirectResponse(static_url(DEFAULT_ICON), status_code=308)

    app.add_middleware(PortalCompression)
