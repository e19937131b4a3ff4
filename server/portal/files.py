"""Portal documents and photos: the list, downloads and images, with safe headers."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.deps import DB, RowIdPath
from server.domain import portal_files
from server.domain import portal_views as views
from server.portal.deps import Customer
from server.portal.render import render

router = APIRouter()

FILE_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, no-store",
}


@router.get("/documents")
def documents(request: Request, ctx: Customer, db: DB) -> Response:
    """Documents and photos the office shared."""
    views.require_section(ctx.scope, "documents")
    return render(
        request,
        "portal/documents.html",
        ctx,
        nav="documents",
        documents=views.list_documents(db, ctx.scope),
        photos=views.list_photos(db, ctx.scope),
    )


@router.get("/documents/{doc_id}/download")
def download(ctx: Customer, db: DB, doc_id: RowIdPath) -> Response:
    """The document as an attachment: never rendered inline by the browser."""
    stored, name = portal_files.shared_document(db, ctx.scope, doc_id)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={**FILE_HEADERS, "content-disposition": disposition},
    )


@router.get("/photos/{photo_id}")
def photo(ctx: Customer, db: DB, photo_id: RowIdPath) -> Response:
    """A shared photo (re-encoded at upload, so safe to show inline)."""
    stored = portal_files.shared_photo(db, ctx.scope, photo_id)
    return Response(stored.data, media_type=stored.content_type, headers=FILE_HEADERS)
