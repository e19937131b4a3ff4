"""The console's HTTP transport: TLS is set up on the first https request, not at start.

Setting up verified TLS reads the whole CA bundle (tens of milliseconds, on the UI thread);
a console on a plain-http server (the embedded local workspace) never needs it, and a console
on a hosted https server pays it once, on its first request. Plain-http requests go through a
transport whose TLS context trusts no certificate at all, so it could never make an
unverified connection even if it were asked to.
"""

from __future__ import annotations

import ssl

# The async pool runs on anyio, which imports its asyncio backend at the first request: on the
# UI thread, just when the cached rows are being listed. Both come with the console's core.
import anyio._backends._asyncio  # noqa: F401
import httpcore  # noqa: F401
import httpx


def _trusts_nothing() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies; no certificates loaded
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


class ConsoleTransport(httpx.AsyncBaseTransport):
    """Retries failed connects once; https gets the default verified transport when first used."""

    def __init__(self, retries: int = 1) -> None:
        self.retries = retries
        self.plain = httpx.AsyncHTTPTransport(retries=retries, verify=_trusts_nothing())
        self.tls: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            return await self.plain.handle_async_request(request)
        if self.tls is None:
            self.tls = httpx.AsyncHTTPTransport(retries=self.retries)
        return await self.tls.handle_async_request(request)

    async def aclose(self) -> None:
        await self.plain.aclose()
        if self.tls is not None:
            await self.tls.aclose()
