"""ASGI middleware: request id, access log line, and security headers on every answer."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import ACCESS_LINES, ACCESS_LOGGER, request_id_var

log = logging.getLogger(ACCESS_LOGGER)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# A year, as ASVS 5.0 3.4.1 asks; sent only when customers reach the server over https.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _hsts(scope: Scope) -> bool:
    """Whether the configured public address is https (then browsers must keep to https)."""
    app = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    base: str | None = getattr(settings, "public_base_url", None)
    return bool(base and base.lower().startswith("https://"))


class RequestContext:
    """Give each request an id (``X-Request-ID``), log it once, and add security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else None
        rid = rid or secrets.token_hex(8)
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500
        hsts = _hsts(scope)

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[Any] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.append((b"x-request-id", rid.encode()))
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                if hsts and HSTS[0] not in present:
                    headers.append(HSTS)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            method, path = scope["method"], scope["path"]
            ms = round((time.perf_counter() - started) * 1000, 2)
            if not ACCESS_LINES.write(rid, method, path, status, ms):
                log.info(
                    "request", extra={"method": method, "path": path, "status": status, "ms": ms}
                )
            request_id_var.reset(token)
