"""Kept-alive connections are handed back now and then, so the workers share the load.

With ``serve --workers N`` every worker accepts from one listening socket, and a connection
stays with the worker that accepted it for as long as the client keeps it alive. A reverse
proxy keeps a pool of such connections (the nginx example keeps 32) and sends every customer's
pages down them, and connections tend to arrive in a burst (the proxy starting, a rolling
restart), when the first worker to wake accepts nearly all of them. From then on one worker
builds most pages on one interpreter while the others wait: measured in the soak, one of four
workers answered two thirds of the pages and another none, and the busy one's queue made the
pages' p99 several times the idle figure.

So every ``every``-th answer of a worker asks the client to close its connection afterwards
(``Connection: close``, which HTTP/1.1 clients and proxies honour by opening a new one for
their next request, as nginx's ``keepalive_requests`` does). A busy worker answers most and
so hands back most; the new connection goes to whichever worker is waiting for work, since a
worker busy building a page is not waiting on the socket. Nothing is dropped: the answer is
complete and the connection is closed only after it.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A reconnect on loopback or a LAN costs well under a millisecond; one in 16 answers lets a
# pool that started on one worker spread within seconds under load, and costs nothing idle.
ANSWERS_PER_CONNECTION = 16

CONNECTION = b"connection"
CLOSE = b"close"


class ConnectionSpread:
    """Ask for ``Connection: close`` on every ``every``-th HTTP answer of this process."""

    def __init__(self, app: ASGIApp, every: int = ANSWERS_PER_CONNECTION) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        self.app = app
        self.every = every
        self.answers = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_maybe_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.answers += 1
                if self.answers % self.every == 0:
                    headers: list[Any] = list(message.get("headers", []))
                    if all(k.lower() != CONNECTION for k, _ in headers):
                        headers.append((CONNECTION, CLOSE))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_maybe_closing)
