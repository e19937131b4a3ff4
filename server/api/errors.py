"""Every error becomes JSON with a plain-English ``detail`` (portal pages may render HTML)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from server.domain.errors import DomainError

log = logging.getLogger("server.errors")

HtmlRenderer = Callable[[Request, int, str], Awaitable[Response] | Response]

_PLAIN = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "You do not have permission to do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    413: "The request is too large.",
    415: "That content type is not accepted.",
    422: "Some fields need attention.",
    429: "Too many attempts. Please wait a moment and try again.",
}


def _field_message(err: dict[str, Any]) -> tuple[str, str]:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(loc) or "body"
    kind = err.get("type", "")
    if kind == "control_characters":  # found anywhere in a body: the context names where
        field = ".".join(filter(None, (field if field != "body" else "", err["ctx"]["field"])))
        return field or "body", "Text may not contain control characters."
    if kind == "extra_forbidden":
        return field, "This field is not accepted here."
    if kind == "missing":
        return field, "This field is required."
    msg = str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
    return field, msg[:1].upper() + msg[1:]


def _is_portal(request: Request) -> bool:
    return request.url.path.startswith("/p/")


def _route_patterns(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    patterns: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "route_patterns", None
    )
    if patterns is None:
        patterns = [
            (compile_path(route.path)[0], frozenset(route.methods))
            for route in iter_route_contexts(app.routes)
            if route.path and route.methods
        ]
        app.state.route_patterns = patterns
    return patterns


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route at ``path`` answers: the ``Allow`` header of a 405.

    Starlette names only the first route whose path matched, but one path often has several
    routes (GET and PATCH of one resource), so every route is asked.
    """
    found: set[str] = set()
    for pattern, methods in _route_patterns(app):
        if pattern.match(path):
            found |= methods
    return sorted(found)


async def _respond(
    request: Request,
    status: int,
    detail: str,
    errors: dict[str, str],
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    renderer: HtmlRenderer | None = getattr(request.app.state, "html_error_renderer", None)
    if renderer is not None and _is_portal(request):
        # The renderer reads the database: never on the event loop (on SQLite it would wait
        # for a lock whose holder needs the loop to finish).
        result = await run_in_threadpool(renderer, request, status, detail)
        page = await result if isinstance(result, Awaitable) else result
        page.headers.update(headers or {})
        return page
    body: dict[str, Any] = {**(extra or {}), "detail": detail, "errors": errors}
    rid = getattr(request.state, "request_id", None)
    if rid:
        body["request_id"] = rid
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return await _respond(request, exc.status_code, exc.detail, exc.errors, extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errs):
            return await _respond(request, 400, "The request body is not valid JSON.", {})
        if _is_portal(request) and all(e.get("loc", ("",))[0] == "path" for e in errs):
            # A portal address whose id no row can have names nothing: the customer's
            # "not found" page, not a form error.
            return await _respond(request, 404, _PLAIN[404], {})
        fields = dict(_field_message(e) for e in errs)
        return await _respond(request, 422, "Some fields need attention.", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail else None
        if detail is None or detail in ("Not Found", "Method Not Allowed"):
            detail = _PLAIN.get(exc.status_code, "The request could not be completed.")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return await _respond(request, exc.status_code, detail, {}, headers)

    @app.exception_handler(IntegrityError)
    async def clash(request: Request, exc: IntegrityError) -> Response:
        # Two writes that each passed their checks met in the database (a record deleted
        # while another was being attached to it): the later one is refused, not failed.
        log.warning("concurrent writes clashed: %s", exc.orig)
        return await _respond(
            request,
            409,
            "Another change to the same records happened at the same moment, so nothing "
            "was changed. Send it again.",
            {},
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def unstorable(request: Request, exc: Exception) -> Response:
        # A value that passed validation but that the database cannot hold (a number out of
        # range, a NUL byte). Validation should have caught it: log it, and answer as input.
        log.warning("input the database could not store: %s", exc)
        if _is_portal(request):
            return await _respond(request, 404, _PLAIN[404], {})
        return await _respond(
            request, 422, "A value in the request is out of range for this server.", {}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return await _respond(
            request, 500, "Something went wrong on the server. Nothing was changed.", {}
        )
