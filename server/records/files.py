"""Records API: documents and photos, uploaded as multipart/form-data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import UploadFile

from server.db.models import Document, Photo
from server.deps import DB, AppSettings
from server.domain.records.files import delete_file_record, upsert_document, upsert_photo
from server.domain.uploads import clean_document, clean_image
from server.records.common import UPSERTED, CrmStaff, ExternalIdPath, answer
from server.records.multipart import read_form, read_limited
from server.wire.records import DocumentForm, PhotoForm, RecordResult

router = APIRouter()


def _form_doc(model: type[DocumentForm | PhotoForm]) -> dict[str, Any]:
    """The multipart body as the OpenAPI document shows it: the model's fields and the file."""
    schema = model.model_json_schema()
    schema["properties"]["file"] = {"type": "string", "format": "binary"}
    schema["required"] = [*schema.get("required", []), "file"]
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


async def _document_form(request: Request) -> tuple[DocumentForm, UploadFile]:
    return await read_form(request, DocumentForm)


async def _photo_form(request: Request) -> tuple[PhotoForm, UploadFile]:
    return await read_form(request, PhotoForm)


@router.put("/documents/{external_id}", openapi_extra=_form_doc(DocumentForm), responses=UPSERTED)
def put_document(
    staff: CrmStaff,
    external_id: ExternalIdPath,
    form: Annotated[tuple[DocumentForm, UploadFile], Depends(_document_form)],
    db: DB,
    settings: AppSettings,
    response: Response,
) -> RecordResult:
    """Upload a document (PDF, PNG, JPEG or WebP by content) with ``customer_external_id``,
    ``title`` and optionally ``job_external_id``. It stays pending review until staff share it.
    """
    fields, upload = form
    data = read_limited(upload, settings.max_upload_bytes)
    clean = clean_document(
        data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    result = upsert_document(db, staff.workspace_id, external_id, fields, upload.filename, clean)
    db.commit()
    return answer(result, response)


@router.put("/photos/{external_id}", openapi_extra=_form_doc(PhotoForm), responses=UPSERTED)
def put_photo(
    staff: CrmStaff,
    external_id: ExternalIdPath,
    form: Annotated[tuple[PhotoForm, UploadFile], Depends(_photo_form)],
    db: DB,
    settings: AppSettings,
    response: Response,
) -> RecordResult:
    """Upload a photo (PNG, JPEG or WebP, re-encoded) with ``customer_external_id`` and
    optionally ``job_external_id``, ``caption``, ``taken_at``. Pending review until shared.
    """
    fields, upload = form
    data = read_limited(upload, settings.max_upload_bytes)
    clean = clean_image(
        data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
    )
    result = upsert_photo(db, staff.workspace_id, external_id, fields, clean)
    db.commit()
    return answer(result, response)


@router.delete("/documents/{external_id}", status_code=204)
def remove_document(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a document and its file."""
    delete_file_record(db, Document, staff.workspace_id, external_id)
    db.commit()


@router.delete("/photos/{external_id}", status_code=204)
def remove_photo(staff: CrmStaff, external_id: ExternalIdPath, db: DB) -> None:
    """Delete a photo and its file."""
    delete_file_record(db, Photo, staff.workspace_id, external_id)
    db.commit()
