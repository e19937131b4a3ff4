"""Shared documents and photos as files: only shareable ones, with safe download names."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.models import Document, Photo, StoredFile
from server.domain.errors import NotFound
from server.domain.portal_view_models import MISSING, Scope

EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}


def safe_name(text: str, extension: str) -> str:
    """A file name without paths, quotes or control characters, ending in the right type."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\x00-\x1f\x7f/\\\"'<>:|?*;]+", " ", text).strip(" .")[:120]
    stem = text.rsplit(".", 1)[0] if text.lower().endswith(extension) else text
    return (stem or "document") + extension


def shared_document(db: Session, scope: Scope, doc_id: int) -> tuple[StoredFile, str]:
    """The bytes of a shareable document and its download name (from visible fields only)."""
    if not scope.policy.shows("documents"):
        raise NotFound(MISSING)
    found = db.execute(
        select(Document, StoredFile)
        .join(StoredFile, StoredFile.id == Document.file_id)
        .where(
            Document.id == doc_id,
            Document.workspace_id == scope.workspace_id,
            Document.customer_id == scope.customer_id,
            Document.review_status == "shareable",
        )
    ).one_or_none()
    if found is None:
        raise NotFound(MISSING)
    doc, stored = found
    extension = EXTENSIONS.get(stored.content_type, "")
    if scope.policy.shows("documents", "filename"):
        name = safe_name(doc.filename, extension)
    elif scope.policy.shows("documents", "title"):
        name = safe_name(doc.title, extension)
    else:
        name = f"document-{doc.id}{extension}"
    return stored, name


def shared_photo(db: Session, scope: Scope, photo_id: int) -> StoredFile:
    """The bytes of a shareable photo."""
    if not scope.policy.shows("photos"):
        raise NotFound(MISSING)
    stored = db.scalar(
        select(StoredFile)
        .join(Photo, Photo.file_id == StoredFile.id)
        .where(
            Photo.id == photo_id,
            Photo.workspace_id == scope.workspace_id,
            Photo.customer_id == scope.customer_id,
            Photo.review_status == "shareable",
        )
    )
    if stored is None or not stored.content_type.startswith("image/"):
        raise NotFound(MISSING)
    return stored
