"""ASGI middleware for ``Idempotency-Key`` on every POST under /api/v1.

Middleware rather than a dependency because it must see the whole answer to store it. The
staff member comes from the bearer token (no valid token: the request passes through and
the route answers 401), and the key is theirs alone. Before a key is reserved or replayed the
route's permission is checked against the member's role: without it the request passes
through untouched and the route refuses it (403) as it would without a key, so a stored
answer never reaches someone who may not make the request. The request is identified by
method, path, query and body bytes; a replay is the stored status, body and headers plus
``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import orjson
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.db.base import utcnow
from server.domain import idempotency as idem
from server.domain.errors import DomainError
from server.domain.permissions import Permission

KEPT_HEADERS = {b"content-type", b"location", b"etag"}


async def _send_json(send: Send, scope: Scope, status: int, detail: str) -> None:
    body: dict[str, object] = {"detail": detail, "errors": {}}
    rid = scope.get("state", {}).get("request_id")
    if rid:
        body["request_id"] = rid
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _permission_of(dependant: Any) -> Permission | None:
    """The permission a route's dependencies check (``need(...)`` carries ``permission``)."""
    for dep in getattr(dependant, "dependencies", ()):
        found = getattr(dep.call, "permission", None)
        if isinstance(found, Permission):
            return found
        nested = _permission_of(dep)
        if nested is not None:
            return nested
    return None


def _permission_table(app: Any) -> list[tuple[re.Pattern[str], set[str], Permission | None]]:
    """Every route's path pattern, methods and permission, built once per app."""
    table = getattr(app.state, "route_permissions", None)
    if table is None:
        table = [
            (ctx.path_regex, set(ctx.methods or ()), _permission_of(ctx.dependant))
            for ctx in iter_route_contexts(app.routes)
            if getattr(ctx, "dependant", None) is not None
        ]
        app.state.route_permissions = table
    return table


def route_permission(scope: Scope) -> Permission | None:
    """The permission the route that will answer this request needs, if it names one."""
    for pattern, methods, permission in _permission_table(scope["app"]):
        if scope["method"] in methods and pattern.match(scope["path"]):
            return permission
    return None


class Idempotency:
    """Reserve, run, store or release; replays answer from the store."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/api/v1/")
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(b"idempotency-key")
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = auth.partition(" ")
        if raw_key is None or scheme.lower() != "bearer" or not token.strip():
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        problem = idem.key_problem(key)
        if problem:
            await _send_json(send, scope, 400, problem)
            return
        factory: sessionmaker[Session] = scope["app"].state.sessionmaker

        def owner() -> idem.KeyOwner | None:
            with factory() as session:
                return idem.owner_of_token(session, token.strip(), utcnow())

        found = await run_in_threadpool(owner)
        needed = route_permission(scope)
        if found is None or (needed is not None and needed not in found.permissions):
            await self.app(scope, receive, send)
            return
        workspace_id, key = found.workspace_id, found.scoped(key)
        body = await _read_body(receive)
        request_hash = idem.fingerprint(
            "POST", scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        try:
            stored = await run_in_threadpool(idem.reserve, factory, workspace_id, key, request_hash)
        except DomainError as exc:
            await _send_json(send, scope, exc.status_code, exc.detail)
            return
        if stored is not None:
            await self._replay(send, stored)
            return
        await self._run(scope, receive, send, body, factory, workspace_id, key)

    async def _replay(self, send: Send, stored: idem.StoredAnswer) -> None:
        payload = stored.body.encode()
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
        out += [
            (b"content-length", str(len(payload)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        await send({"type": "http.response.start", "status": stored.status, "headers": out})
        await send({"type": "http.response.body", "body": payload})

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        factory: sessionmaker[Session],
        workspace_id: int,
        key: str,
    ) -> None:
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        kept: list[tuple[str, str]] = []
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            # Held back until the answer is stored: a client that retries the moment it
            # sees the answer must find it stored, not still in flight.
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() in KEPT_HEADERS:
                        kept.append((k.decode("latin-1").lower(), v.decode("latin-1")))
            messages.append(message)

        stored = False
        try:
            await self.app(scope, replay_body, capture)
            raw = b"".join(
                m.get("body", b"") for m in messages if m["type"] == "http.response.body"
            )
            if 200 <= status < 300:
                answer = idem.StoredAnswer(status, kept, raw.decode("utf-8"))
                await run_in_threadpool(idem.complete, factory, workspace_id, key, answer)
                stored = True
        except UnicodeDecodeError:
            pass  # a binary answer is not kept; the key is released below
        finally:
            if not stored:
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(idem.release, factory, workspace_id, key)
        for message in messages:
            await send(message)
