"""Staff review of documents and photos: customers see a file only once it is shareable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, undefer

from server.db.base import utcnow
from server.db.models import Customer, Document, Photo, StaffUser, StoredFile, Workspace
from server.domain.audit import Actor, record_event
from server.domain.changes import record_change
from server.domain.errors import Invalid, NotFound
from server.domain.ids import parse_row_number
from server.wire.base import Page
from server.wire.files import FileOut

KINDS = ("document", "photo")
PHOTO_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def photo_filename(photo_id: int, content_type: str) -> str:
    """The download name of a photo (photos carry no name of their own)."""
    return f"photo-{photo_id}{PHOTO_EXT.get(content_type, '')}"


def _union() -> Any:
    """Documents and photos as one list of the same columns."""
    docs = select(
        literal("document").label("kind"),
        Document.id.label("id"),
        Document.workspace_id.label("workspace_id"),
        Document.customer_id.label("customer_id"),
        Document.job_id.label("job_id"),
        Document.title.label("title"),
        Document.filename.label("filename"),
        Document.file_id.label("file_id"),
        Document.review_status.label("review_status"),
        Document.reviewed_by_id.label("reviewed_by_id"),
        Document.reviewed_at.label("reviewed_at"),
        Document.created_at.label("created_at"),
        literal(None).label("service_request_id"),
    )
    photos = select(
        literal("photo").label("kind"),
        Photo.id,
        Photo.workspace_id,
        Photo.customer_id,
        Photo.job_id,
        Photo.caption,
        literal("").label("filename"),
        Photo.file_id,
        Photo.review_status,
        Photo.reviewed_by_id,
        Photo.reviewed_at,
        Photo.created_at,
        Photo.service_request_id,
    )
    return union_all(docs, photos).subquery("files")


@dataclass(frozen=True)
class _Cursor:
    created_at: datetime
    kind: str
    id: int

    def encode(self) -> str:
        return f"{self.created_at.isoformat()}~{self.kind}~{self.id}"

    @classmethod
    def decode(cls, text: str) -> _Cursor:
        try:
            when, kind, ident = text.split("~")
            number = parse_row_number(ident)
            if kind not in KINDS or number is None:
                raise ValueError(kind)
            return cls(datetime.fromisoformat(when), kind, number)
        except ValueError as exc:
            raise Invalid(
                "That cursor is not one this list gave out.", errors={"cursor": "Unknown."}
            ) from exc


def list_files(
    session: Session,
    ws: Workspace,
    status: str,
    *,
    kind: str | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[FileOut]:
    """Documents and photos with one review status, oldest first (the review queue order)."""
    u = _union()
    where = [u.c.workspace_id == ws.id, u.c.review_status == status]
    if kind is not None:
        where.append(u.c.kind == kind)
    if customer_id is not None:
        where.append(u.c.customer_id == customer_id)
    count = session.scalar(select(func.count()).select_from(u).where(*where)) or 0
    if cursor:
        c = _Cursor.decode(cursor)
        where.append(
            or_(
                u.c.created_at > c.created_at,
                and_(
                    u.c.created_at == c.created_at,
                    or_(u.c.kind > c.kind, and_(u.c.kind == c.kind, u.c.id > c.id)),
                ),
            )
        )
    rows = session.execute(
        _with_names(u).where(*where).order_by(u.c.created_at, u.c.kind, u.c.id).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    data = [_out(r) for r in rows]
    next_cursor = (
        _Cursor(rows[-1].created_at, rows[-1].kind, rows[-1].id).encode() if more else None
    )
    return Page[FileOut](data=data, count=count, next_cursor=next_cursor)


def _with_names(u: Any) -> Any:
    """The list's columns: the file, its customer's name, size and type, the reviewer's name."""
    return (
        select(
            u,
            Customer.name.label("customer_name"),
            StoredFile.content_type,
            StoredFile.size,
            StaffUser.name.label("reviewed_by_name"),
        )
        .join(Customer, Customer.id == u.c.customer_id)
        .join(StoredFile, StoredFile.id == u.c.file_id)
        .outerjoin(StaffUser, StaffUser.id == u.c.reviewed_by_id)
    )


def _out(r: Any) -> FileOut:
    filename = r.filename if r.kind == "document" else photo_filename(r.id, r.content_type)
    return FileOut(
        kind=r.kind,
        id=r.id,
        customer_id=r.customer_id,
        customer_name=r.customer_name,
        job_id=r.job_id,
        title=r.title,
        filename=filename,
        content_type=r.content_type,
        size=r.size,
        review_status=r.review_status,
        reviewed_by_id=r.reviewed_by_id,
        reviewed_at=r.reviewed_at,
        created_at=r.created_at,
        reviewed_by_name=r.reviewed_by_name,
        service_request_id=r.service_request_id,
    )


def _one(session: Session, ws: Workspace, kind: str, file_id: int) -> Document | Photo:
    row: Document | Photo | None = None
    if kind == "document":
        row = session.scalar(
            select(Document).where(Document.id == file_id, Document.workspace_id == ws.id)
        )
    elif kind == "photo":
        row = session.scalar(select(Photo).where(Photo.id == file_id, Photo.workspace_id == ws.id))
    if row is None:
        raise NotFound("There is no such file.")
    return row


def file_out(session: Session, ws: Workspace, kind: str, file_id: int) -> FileOut:
    """One document or photo as the review list shows it."""
    u = _union()
    row = session.execute(
        _with_names(u).where(u.c.workspace_id == ws.id, u.c.kind == kind, u.c.id == file_id)
    ).one_or_none()
    if row is None:
        raise NotFound("There is no such file.")
    return _out(row)


def file_content(
    session: Session, ws: Workspace, kind: str, file_id: int
) -> tuple[StoredFile, str]:
    """The stored bytes of a document or photo and the name to download it under."""
    row = _one(session, ws, kind, file_id)
    stored = session.scalar(
        select(StoredFile)
        .where(StoredFile.id == row.file_id, StoredFile.workspace_id == ws.id)
        .options(undefer(StoredFile.data))
    )
    if stored is None:
        raise NotFound("There is no such file.")
    if isinstance(row, Document):
        return stored, row.filename
    return stored, photo_filename(row.id, stored.content_type)


def review(
    session: Session,
    ws: Workspace,
    kind: str,
    file_id: int,
    decision: str,
    actor: Actor,
    caption: str | None = None,
) -> FileOut:
    """Mark a file shareable or rejected (and caption it); audited and recorded for sync."""
    _decide(session, ws, kind, file_id, decision, actor, caption)
    session.commit()
    return file_out(session, ws, kind, file_id)


def review_many(
    session: Session, ws: Workspace, files: list[tuple[str, int]], decision: str, actor: Actor
) -> list[FileOut]:
    """One decision for several files in one transaction: all of them, or none when one of
    them is not in this workspace."""
    unique = list(dict.fromkeys(files))
    for kind, file_id in unique:
        _decide(session, ws, kind, file_id, decision, actor, None)
    session.commit()
    return [file_out(session, ws, kind, file_id) for kind, file_id in unique]


def _decide(
    session: Session,
    ws: Workspace,
    kind: str,
    file_id: int,
    decision: str,
    actor: Actor,
    caption: str | None,
) -> None:
    row = _one(session, ws, kind, file_id)
    before = row.review_status
    if caption is not None:
        _set_caption(row, caption)
    row.review_status = decision
    row.reviewed_by_id = actor.id
    row.reviewed_at = utcnow()
    record_event(
        session,
        ws.id,
        actor,
        "file.reviewed",
        customer_id=row.customer_id,
        kind=kind,
        file_id=row.id,
        decision=decision,
        previous=before,
    )
    record_change(session, ws.id, kind, row.id, "upsert")


def _set_caption(row: Document | Photo, caption: str) -> None:
    text = " ".join(caption.split())
    if isinstance(row, Photo):
        row.caption = text or None
        return
    if not text:
        raise Invalid(
            "A document needs a title customers can read.",
            errors={"caption": "Write a title."},
        )
    row.title = text
