"""The error answers of the API as the OpenAPI document declares them: every one an
``ErrorBody``, with a description of when it comes."""

from __future__ import annotations

from typing import Any

from server.wire.base import ErrorBody

DESCRIPTIONS = {
    400: "The request could not be understood (malformed JSON or form, a bad Idempotency-Key).",
    401: "No valid staff bearer token (or, signing in, a wrong email or password).",
    403: "The signed-in role lacks the permission this needs.",
    404: "No such object in this workspace.",
    409: "The request clashes with the current state.",
    410: "The cursor is too old: start again from 0.",
    412: "If-Match named a version that is no longer current.",
    413: "The upload or body is too large.",
    415: "That content type is not accepted.",
    422: "Some fields need attention; errors maps each field to a message.",
    428: "This change needs If-Match with the ETag last read.",
    429: "Too many attempts; wait and try again.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=errors(409)``: statuses a route's service may answer beyond those read
    from the route's signature (see ``server.api.error_responses``)."""
    return {s: {"model": ErrorBody, "description": DESCRIPTIONS[s]} for s in statuses}
