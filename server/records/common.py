"""What every records route shares: the CRM actor, path ids, results and body checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response

from server.deps import StaffSignIn, need_sign_in
from server.domain.audit import Actor
from server.domain.errors import UnsupportedMedia
from server.domain.permissions import Permission
from server.domain.records.customers import Upserted
from server.wire.records import EXTERNAL_ID_PATTERN, RecordResult

CrmStaff = Annotated[StaffSignIn, need_sign_in(Permission.RECORDS)]
ExternalIdPath = Annotated[
    str,
    Path(
        pattern=EXTERNAL_ID_PATTERN,
        max_length=100,
        description="The CRM's id of the record: letters, digits and . _ : @ -",
    ),
]


# An upsert answers 200 when the record existed and 201 when it is new; both bodies are alike.
UPSERTED: dict[int | str, dict[str, Any]] = {
    201: {"model": RecordResult, "description": "The record is new."}
}


def crm_actor(staff: StaffSignIn) -> Actor:
    """The CRM integration, acting with a staff member's token, as an audit actor."""
    return Actor("crm", staff.user_id, f"CRM ({staff.user_name})", staff.ip)


def answer(result: Upserted, response: Response) -> RecordResult:
    """The result of an upsert; 201 when the record was created."""
    if result.created:
        response.status_code = 201
    return RecordResult(
        entity=result.entity,
        external_id=result.external_id,
        id=result.id,
        created=result.created,
        changed=result.changed,
    )


async def json_body(request: Request) -> None:
    """Refuse a body that is not declared as JSON (415), before it is read as one.

    Async: a header check needs no worker thread (each trip there costs a hand-off)."""
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime != "application/json" and not (
        mime.startswith("application/") and mime.endswith("+json")
    ):
        raise UnsupportedMedia("Send the body as JSON (Content-Type: application/json).")


# Declared after the staff parameter, so 401/403 come before 415.
JsonBody = Annotated[None, Depends(json_body)]
