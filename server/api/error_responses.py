"""The error answers of every staff and records route, declared in the OpenAPI document.

Every error is an ``ErrorBody`` (``{detail, errors}``), never FastAPI's default validation
shape. Which statuses a route can answer is read from the route itself: what it depends on
(a bearer token: 401; a permission: 403; ``If-Match``: 412 and 428; a JSON body: 400 for
malformed JSON, 415 for another content type; an upload: 413 and 415), what it takes (an id
in the path: 404; any parameter or body: 422) and how it is called (a POST may carry an
``Idempotency-Key``: 400, 409, 422; any write may meet a concurrent one: 409). What a
route's service can refuse beyond that (a 409 on a clash, a 410 on an old cursor) the route
declares itself with ``server.wire.errors.errors``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from server.deps import _Need, current_sign_in, current_staff
from server.records.common import json_body
from server.wire.base import ErrorBody
from server.wire.errors import DESCRIPTIONS

ERROR_SCHEMA = "ErrorBody"
_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _params(dependant: Dependant, kind: str) -> Iterator[Any]:
    yield from getattr(dependant, kind)
    for sub in dependant.dependencies:
        yield from _params(sub, kind)


def inferred_statuses(method: str, dependant: Dependant, body_media: str | None) -> set[int]:
    """The error statuses a route can answer, read from its signature and dependencies."""
    calls = list(_calls(dependant))
    found: set[int] = set()
    if any(call is current_staff or call is current_sign_in for call in calls):
        found.add(401)
    if any(isinstance(call, _Need) for call in calls):
        found |= {401, 403}
    if any(str(p.alias).lower() == "if-match" for p in _params(dependant, "header_params")):
        found |= {412, 428}
    if any(True for _ in _params(dependant, "path_params")):
        found |= {404, 422}
    if any(True for _ in _params(dependant, "query_params")) or body_media:
        found.add(422)
    if body_media == "application/json":
        found |= {400, 422}
    if body_media is not None and body_media.startswith("multipart/"):
        found |= {400, 413, 415, 422}
    if any(call is json_body for call in calls):
        found.add(415)
    if method == "POST":
        found |= {400, 409, 422}  # Idempotency-Key: malformed, in flight, reused
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        found.add(409)  # a write that met a concurrent one in the database
    return found


def _operation_statuses(app: FastAPI, doc: dict[str, Any]) -> dict[tuple[str, str], set[int]]:
    found: dict[tuple[str, str], set[int]] = {}
    for route in iter_route_contexts(app.routes):
        # The document shows ``{member_id}`` where the route says ``{member_id:int}``.
        path, dependant = route.path_format, getattr(route, "dependant", None)
        if not path or dependant is None or not path.startswith("/api/"):
            continue
        for method in route.methods or ():
            op = doc.get("paths", {}).get(path, {}).get(method.lower())
            if op is None:
                continue
            content = op.get("requestBody", {}).get("content", {})
            media = next(iter(content), None)
            found[(path, method.lower())] = inferred_statuses(method, dependant, media)
    return found


def _error(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": _REF}},
    }


def install_error_responses(app: FastAPI, generate: Callable[[], dict[str, Any]]) -> None:
    """Make ``app.openapi()`` declare every error answer as an ``ErrorBody``."""

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI's document, cached by FastAPI; what follows is idempotent
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas[ERROR_SCHEMA] = ErrorBody.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for (path, method), statuses in _operation_statuses(app, doc).items():
            responses = doc["paths"][path][method]["responses"]
            for status in sorted(statuses):
                responses.setdefault(str(status), _error(status))
            for status, answer in responses.items():
                if "HTTPValidationError" in str(answer):  # FastAPI's shape, not ours
                    responses[status] = _error(int(status))
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
