"""Kept-alive connections are handed back every so often, so several workers share them."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from server.app import create_app
from server.connection_spread import ANSWERS_PER_CONNECTION, ConnectionSpread
from server.settings import Settings
from tests.server.conftest import Server
from tests.support.live_server import free_port, serve_in_thread


def _answers(middleware: ConnectionSpread, n: int) -> list[list[tuple[bytes, bytes]]]:
    """The response-start headers of ``n`` answers through ``middleware``."""
    seen: list[list[tuple[bytes, bytes]]] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            seen.append(list(message["headers"]))

    async def all_of_them() -> None:
        for _ in range(n):
            await middleware({"type": "http", "method": "GET", "path": "/"}, receive, send)

    asyncio.run(all_of_them())
    return seen


def _app(headers: list[tuple[bytes, bytes]]):  # type: ignore[no-untyped-def]
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_every_nth_answer_asks_to_close_the_connection() -> None:
    plain = [(b"content-type", b"text/plain")]
    seen = _answers(ConnectionSpread(_app(plain), every=4), 12)
    closing = [i for i, h in enumerate(seen, start=1) if (b"connection", b"close") in h]
    assert closing == [4, 8, 12]
    assert all(h[: len(plain)] == plain for h in seen), "the app's own headers are kept"


def test_a_connection_header_the_app_set_is_left_alone() -> None:
    own = [(b"Connection", b"keep-alive")]
    seen = _answers(ConnectionSpread(_app(own), every=1), 3)
    assert seen == [own, own, own]


def test_other_scopes_pass_through_uncounted() -> None:
    calls: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["type"])

    middleware = ConnectionSpread(app, every=1)

    async def lifespan() -> None:
        await middleware({"type": "lifespan"}, None, None)  # type: ignore[arg-type]

    asyncio.run(lifespan())
    assert calls == ["lifespan"] and middleware.answers == 0


def _spread_server(server: Server, workers: int) -> FastAPI:
    return create_app(
        Settings(database_url=server.database_url, public_base_url=server.url, workers=workers)
    )


def test_a_single_worker_keeps_its_connections(server: Server) -> None:
    app = _spread_server(server, 1)
    try:
        assert all(m.cls is not ConnectionSpread for m in app.user_middleware)
    finally:
        app.state.engine.dispose()
    # The server the tests share runs as one worker: nothing is handed back.
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answers = [client.get("/healthz") for _ in range(2 * ANSWERS_PER_CONNECTION)]
    assert all(r.headers.get("connection") != "close" for r in answers)


def test_a_kept_alive_client_is_handed_a_fresh_connection(server: Server) -> None:
    """Through a real server of several workers' settings: one answer in
    ``ANSWERS_PER_CONNECTION`` closes, and the client's next request goes out on a new
    connection, with nothing lost."""
    ports: list[int] = []
    closing = 0
    app = _spread_server(server, 2)
    try:
        with (
            serve_in_thread(app, free_port()) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            for _ in range(2 * ANSWERS_PER_CONNECTION):
                with client.stream("GET", "/healthz") as r:
                    # Asked before the body is read: after a closing answer the socket is gone.
                    address = r.extensions["network_stream"].get_extra_info("client_addr")
                    ports.append(address[1])
                    assert r.read() and r.status_code == 200
                    closing += r.headers.get("connection") == "close"
    finally:
        app.state.engine.dispose()
    assert closing == 2
    # Two closes within 32 answers: two or three connections, each used for up to 16.
    assert 2 <= len(set(ports)) <= 3
    assert max(ports.count(p) for p in set(ports)) <= ANSWERS_PER_CONNECTION
