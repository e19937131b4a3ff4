"""Reading a multipart upload: the form fields into a wire model, the bytes within the limit."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from server.domain.errors import Invalid, TooLarge, UnsupportedMedia
from server.wire.base import Request as RequestModel


async def read_form[M: RequestModel](request: Request, model: type[M]) -> tuple[M, UploadFile]:
    """The fields of a ``multipart/form-data`` body as ``model`` and its one ``file`` part."""
    mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if mime != "multipart/form-data":
        raise UnsupportedMedia(
            "Send the file as multipart/form-data, with the file in a part named 'file'."
        )
    form = await request.form()
    fields: dict[str, Any] = {}
    upload: UploadFile | None = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key != "file" or upload is not None:
                msg = "Send exactly one file, in the part named 'file'."
                raise Invalid(msg, errors={key: msg})
            upload = value
        else:
            fields[key] = value or None
    # An empty field means "not given" (forms cannot send null); unknown names stay in so
    # that the model refuses them.
    given = {k: v for k, v in fields.items() if v is not None or k not in model.model_fields}
    try:
        parsed = model.model_validate(given)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from exc
    if upload is None:
        raise Invalid("The file is missing.", errors={"file": "This field is required."})
    return parsed, upload


def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, refusing (413) as soon as there are more than ``max_bytes``."""
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    return data
