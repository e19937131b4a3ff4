"""The console's transport: plain http at once, verified TLS set up on the first https request."""

import ssl

import httpx
import pytest

from app.api_client import make_http_client
from app.http_transport import ConsoleTransport
from tests.support.live_server import free_port


def _context(transport: httpx.AsyncHTTPTransport) -> ssl.SSLContext:
    return transport._pool._ssl_context  # type: ignore[attr-defined]


def test_the_client_starts_without_setting_up_tls():
    client = make_http_client()
    transport = client._transport
    assert isinstance(transport, ConsoleTransport)
    assert transport.tls is None


def test_the_plain_transport_trusts_no_certificate():
    plain = _context(ConsoleTransport().plain)
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0


@pytest.mark.asyncio
async def test_http_goes_plain_and_https_gets_verified_tls_once():
    transport = ConsoleTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        port = free_port()  # nothing listens: both fail to connect, after choosing a transport
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/healthz")
        assert transport.tls is None
        with pytest.raises(httpx.ConnectError):
            await client.get(f"https://127.0.0.1:{port}/healthz")
        tls = transport.tls
        assert tls is not None
        context = _context(tls)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded
        with pytest.raises(httpx.ConnectError):
            await client.get(f"https://127.0.0.1:{port}/again")
        assert transport.tls is tls  # made once
