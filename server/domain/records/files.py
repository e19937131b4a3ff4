"""Documents and photos pushed by the CRM; files are validated by content and stored.

A new file starts ``pending`` review: customers see it only after staff mark it shareable.
Sending different bytes for a record replaces its file and puts it back to ``pending``,
since what was reviewed is no longer what would be shown. The same bytes again change
nothing.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from server.db.models import Document, Photo, StoredFile
from server.domain.changes import record_change
from server.domain.records.customers import Upserted
from server.domain.records.lookup import (
    assign,
    by_external_id,
    existing,
    referenced_customer_id,
    referenced_job,
)
from server.domain.uploads import CleanFile
from server.wire.records import DocumentForm, PhotoForm


def safe_filename(name: str | None, fallback: str) -> str:
    """The last path component without control characters, at most 255 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base or fallback)[:255]


def _store(session: Session, workspace_id: int, clean: CleanFile) -> StoredFile:
    stored = StoredFile(
        workspace_id=workspace_id,
        content_type=clean.content_type,
        size=len(clean.data),
        sha256=clean.sha256,
        width=clean.width,
        height=clean.height,
        data=clean.data,
    )
    session.add(stored)
    session.flush()
    return stored


def _replace_file(
    session: Session, workspace_id: int, record: Document | Photo, clean: CleanFile
) -> bool:
    """Point the record at the new bytes unless they are the ones it has; True if replaced."""
    current = session.get(StoredFile, record.file_id)
    if current is not None and current.sha256 == clean.sha256:
        return False
    record.file_id = _store(session, workspace_id, clean).id
    record.review_status = "pending"
    record.reviewed_by_id = None
    record.reviewed_at = None
    session.flush()
    if current is not None:
        session.delete(current)
    return True


def _upsert(
    session: Session,
    model: type[Document] | type[Photo],
    entity: str,
    workspace_id: int,
    external_id: str,
    customer_external_id: str,
    job_external_id: str | None,
    values: dict[str, Any],
    clean: CleanFile,
) -> Upserted:
    customer_id = referenced_customer_id(session, workspace_id, customer_external_id)
    job_id = referenced_job(session, workspace_id, customer_id, job_external_id)
    record = by_external_id(session, model, workspace_id, external_id, lock=True)
    created = record is None
    values = {"customer_id": customer_id, "job_id": job_id, **values}
    if record is None:
        stored = _store(session, workspace_id, clean)
        record = model(workspace_id=workspace_id, external_id=external_id, file_id=stored.id)
        assign(record, values)
        session.add(record)
        changed = True
    else:
        changed = assign(record, values)
        changed |= _replace_file(session, workspace_id, record, clean)
    if not changed:
        return Upserted(entity, external_id, record.id, False, False)
    session.flush()
    record_change(session, workspace_id, entity, record.id, "upsert")
    return Upserted(entity, external_id, record.id, created, True)


def upsert_document(
    session: Session,
    workspace_id: int,
    external_id: str,
    form: DocumentForm,
    filename: str | None,
    clean: CleanFile,
) -> Upserted:
    """Create or update a document from validated bytes."""
    values = {"title": form.title, "filename": safe_filename(filename, form.title)}
    return _upsert(
        session,
        Document,
        "document",
        workspace_id,
        external_id,
        form.customer_external_id,
        form.job_external_id,
        values,
        clean,
    )


def upsert_photo(
    session: Session, workspace_id: int, external_id: str, form: PhotoForm, clean: CleanFile
) -> Upserted:
    """Create or update a photo from a validated, re-encoded image."""
    values = {"caption": form.caption or None, "taken_at": form.taken_at}
    return _upsert(
        session,
        Photo,
        "photo",
        workspace_id,
        external_id,
        form.customer_external_id,
        form.job_external_id,
        values,
        clean,
    )


def delete_file_record(
    session: Session, model: type[Document] | type[Photo], workspace_id: int, external_id: str
) -> None:
    """Delete a document or photo and its stored bytes."""
    entity = "document" if model is Document else "photo"
    record = existing(session, model, workspace_id, external_id, entity)
    file_id = record.file_id
    session.delete(record)
    session.flush()
    session.execute(delete(StoredFile).where(StoredFile.id == file_id))
    record_change(session, workspace_id, entity, record.id, "delete")
