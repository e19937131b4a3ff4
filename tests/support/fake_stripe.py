"""A fake of the parts of Stripe's HTTP API the portal uses, served for real on 127.0.0.1.

It answers the stripe library's own requests (form-encoded, bearer key, idempotency keys),
keeps Checkout Sessions in memory, and signs webhook events the way Stripe does
(``Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.payload">``). Tests only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.live_server import free_port, serve_in_thread

SECRET_KEY = "sk_test_fake_portal"
WEBHOOK_SECRET = "whsec_fake_portal"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"type": "invalid_request_error", "message": message}}, status_code=status
    )


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for a payload."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class FakeStripe:
    """In-memory Checkout Sessions behind a real HTTP server."""

    def __init__(self) -> None:
        self.url = ""
        self.sessions: dict[str, dict[str, Any]] = {}
        self.by_idempotency: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self.unavailable = False
        self.refuse_expire = False  # expiring sessions fails (Stripe briefly unreachable)
        self._lock = threading.Lock()
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

        @app.post("/v1/checkout/sessions")
        async def create(request: Request) -> JSONResponse:
            if (problem := self._check(request)) is not None:
                return problem
            form = await request.form()
            key = request.headers.get("idempotency-key")
            with self._lock:
                if key and key in self.by_idempotency:
                    return JSONResponse(self.sessions[self.by_idempotency[key]])
                sid = f"cs_test_{secrets.token_hex(12)}"
                unit = int(str(form["line_items[0][price_data][unit_amount]"]))
                qty = int(str(form.get("line_items[0][quantity]", "1")))
                session = {
                    "id": sid,
                    "object": "checkout.session",
                    "mode": form.get("mode"),
                    "url": f"{self.url}/pay/{sid}",
                    "amount_total": unit * qty,
                    "currency": form.get("line_items[0][price_data][currency]"),
                    "description": form.get("line_items[0][price_data][product_data][name]"),
                    "customer_email": form.get("customer_email"),
                    "client_reference_id": form.get("client_reference_id"),
                    "success_url": form.get("success_url"),
                    "cancel_url": form.get("cancel_url"),
                    "metadata": {
                        k[len("metadata[") : -1]: v
                        for k, v in form.items()
                        if k.startswith("metadata[")
                    },
                    "status": "open",
                    "payment_status": "unpaid",
                }
                self.sessions[sid] = session
                if key:
                    self.by_idempotency[key] = sid
            return JSONResponse(session)

        @app.post("/v1/checkout/sessions/{sid}/expire")
        def expire(sid: str, request: Request) -> JSONResponse:
            if (problem := self._check(request)) is not None:
                return problem
            if self.refuse_expire:
                return _error(500, "Stripe could not expire the session just now.")
            with self._lock:
                session = self.sessions.get(sid)
                if session is None:
                    return _error(404, f"No such checkout.session: '{sid}'")
                if session["status"] != "open":
                    return _error(
                        400, 'Only Checkout Sessions with a status in ["open"] can be expired.'
                    )
                session.update(status="expired")
            return JSONResponse(session)

        @app.get("/v1/checkout/sessions/{sid}")
        def retrieve(sid: str, request: Request) -> JSONResponse:
            if (problem := self._check(request)) is not None:
                return problem
            session = self.sessions.get(sid)
            if session is None:
                return _error(404, f"No such checkout.session: '{sid}'")
            return JSONResponse(session)

        return app

    def _check(self, request: Request) -> JSONResponse | None:
        self.requests.append((request.method, request.url.path))
        if self.unavailable:
            return _error(500, "Stripe is having a bad day.")
        if request.headers.get("authorization") != f"Bearer {SECRET_KEY}":
            return _error(401, "Invalid API Key provided.")
        return None

    def complete(self, sid: str) -> None:
        """The customer paid on Stripe's page (which an expired session no longer offers)."""
        assert self.sessions[sid]["status"] == "open", f"{sid} is {self.sessions[sid]['status']}"
        self.sessions[sid].update(status="complete", payment_status="paid")

    def event(self, sid: str, event_type: str = "checkout.session.completed") -> bytes:
        """A webhook event body about a session, as Stripe would post it."""
        body = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "type": event_type,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {"object": dict(self.sessions[sid])},
        }
        return json.dumps(body).encode()

    def deliver(self, client: httpx.Client, url: str, payload: bytes, **kw: Any) -> httpx.Response:
        """Post a signed webhook to the portal."""
        headers = {"Stripe-Signature": sign(payload, **kw), "Content-Type": "application/json"}
        return client.post(url, content=payload, headers=headers)


@contextmanager
def running_fake_stripe() -> Iterator[FakeStripe]:
    """A fake Stripe listening on a free local port."""
    fake = FakeStripe()
    port = free_port()
    fake.url = f"http://127.0.0.1:{port}"
    with serve_in_thread(fake.app, port):
        yield fake
