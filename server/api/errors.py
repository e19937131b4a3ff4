"""Every error becomes JSON with a plain-English ``detail`` (portal pages may render HTML)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    if kind == "extra_forbidden":
        return field, "This field is not accepted here."
    if kind == "missing":
        return field, "This field is required."
    msg = str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
    return field, msg[:1].upper() + msg[1:]


async def _respond(request: Request, status: int, detail: str, errors: dict[str, str]) -> Response:
    renderer: HtmlRenderer | None = getattr(request.app.state, "html_error_renderer", None)
    if renderer is not None and request.url.path.startswith("/p/"):
        # The renderer reads the database: never on the event loop (on SQLite it would wait
        # for a lock whose holder needs the loop to finish).
        result = await run_in_threadpool(renderer, request, status, detail)
        return await result if isinstance(result, Awaitable) else result
    body: dict[str, Any] = {"detail": detail, "errors": errors}
    rid = getattr(request.state, "request_id", None)
    if rid:
        body["request_id"] = rid
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return await _respond(request, exc.status_code, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errs):
            return await _respond(request, 400, "The request body is not valid JSON.", {})
        fields = dict(_field_message(e) for e in errs)
        return await _respond(request, 422, "Some fields need attention.", fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail else None
        if detail is None or detail in ("Not Found", "Method Not Allowed"):
            detail = _PLAIN.get(exc.status_code, "The request could not be completed.")
        return await _respond(request, exc.status_code, detail, {})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return await _respond(
            request, 500, "Something went wrong on the server. Nothing was changed.", {}
        )
