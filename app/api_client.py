"""The one way the console talks to the portal server: the staff API over a shared httpx client."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from app.errors import ApiError, AuthExpired, CursorExpired, OfflineError
from app.http_transport import ConsoleTransport

log = logging.getLogger(__name__)

_STATUS_MESSAGES = {
    401: "Your sign-in has expired. Please sign in again.",
    403: "You do not have permission to do that.",
    404: "That was not found on the server. It may have been deleted.",
    409: "Someone else changed this at the same time. Reload and try again.",
    410: "The server no longer has the changes since your last sync.",
    412: "Someone else changed this since you opened it. Reload and try again.",
    429: "Too many attempts. Please wait a moment and try again.",
}


def make_http_client(timeout: float = 30.0) -> httpx.AsyncClient:
    """The console's shared HTTP client: explicit timeouts, retries on connect errors only
    (TLS is set up on the first https request: ``app.http_transport``)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
        transport=ConsoleTransport(retries=1),
        headers={"User-Agent": "toolbag-portal-console"},
    )


@dataclass(frozen=True)
class RawChanges:
    """A page of the changes feed still encoded, and its ``next_cursor`` and ``has_more``
    from the answer's headers (None when the server did not send them)."""

    body: bytes
    next_cursor: str | None
    has_more: bool | None


class ApiClient:
    """Staff API calls for one server, signed in with a bearer token (or not yet)."""

    def __init__(self, base_url: str, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.token = token
        # When the server last answered anything: an error answer counts, it is up.
        self.last_answer: datetime | None = None
        self._ready: asyncio.Event | None = None  # set while requests must wait (see hold)

    def hold(self) -> None:
        """Make requests wait until ``release()``: the server is known to be starting.

        A local workspace shows its cached rows while its server starts; the panels' first
        loads wait for it instead of failing with "cannot reach the server".
        """
        if self._ready is None:
            self._ready = asyncio.Event()

    def release(self) -> None:
        """Let the held requests, and every later one, go (with the token set by then)."""
        if self._ready is not None:
            self._ready.set()
            self._ready = None

    @property
    def held(self) -> bool:
        """Whether requests are waiting for ``release()``."""
        return self._ready is not None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        """Send one request; an error answer becomes an ``ApiError`` with a plain message."""
        if self._ready is not None:
            await self._ready.wait()
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        try:
            response = await self.http.request(
                method, url, json=json, params=params, headers=all_headers, files=files
            )
        except httpx.TimeoutException as exc:
            raise OfflineError(
                f"The server at {self.base_url} did not answer in time. Check your connection "
                "and try again."
            ) from exc
        except httpx.TransportError as exc:
            raise OfflineError(
                f"Cannot reach the server at {self.base_url}. Check your connection; the console "
                "keeps trying."
            ) from exc
        self.last_answer = datetime.now(UTC)
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET and decode JSON."""
        return (await self.request("GET", path, params=params)).json()

    async def health(self) -> dict[str, Any]:
        """``GET /healthz``: whether the server is up, and its version."""
        data: dict[str, Any] = await self.get_json("/healthz")
        return data

    async def sign_in(self, email: str, password: str) -> str:
        """Exchange email and password for a token; the client uses it from now on."""
        token = self.token
        self.token = None
        try:
            response = await self.request(
                "POST", "/api/v1/auth/token", json={"email": email, "password": password}
            )
        except AuthExpired as exc:
            # Here a 401 means wrong email or password, not an expired sign-in.
            self.token = token
            raise ApiError(exc.server_detail or "Wrong email or password.", 401) from None
        except ApiError:
            self.token = token
            raise
        self.token = str(response.json()["access_token"])
        return self.token

    async def me(self) -> dict[str, Any]:
        """The signed-in staff member, workspace and permissions."""
        data: dict[str, Any] = await self.get_json("/api/v1/auth/me")
        return data

    async def sign_out(self) -> None:
        """Revoke the token on the server (an already dead token counts as signed out)."""
        if not self.token:
            return
        try:
            await self.request("DELETE", "/api/v1/auth/token")
        except AuthExpired:
            pass
        finally:
            self.token = None

    async def changes_raw(self, since: str | int, limit: int) -> RawChanges:
        """One page of ``/api/v1/changes`` as raw JSON bytes (decoded off the UI thread),
        with where the next page starts when the server says so in its headers."""
        response = await self.request(
            "GET", "/api/v1/changes", params={"since": str(since), "limit": limit}
        )
        has_more = response.headers.get("x-has-more")
        return RawChanges(
            response.content,
            response.headers.get("x-next-cursor"),
            None if has_more not in ("true", "false") else has_more == "true",
        )

    async def changes(self, since: str | int, limit: int) -> dict[str, Any]:
        """One page of the changes feed: ``data``, ``count``, ``next_cursor``, ``has_more``."""
        data: dict[str, Any] = await self.get_json(
            "/api/v1/changes", params={"since": str(since), "limit": limit}
        )
        return data

    async def customers(
        self,
        *,
        q: str | None = None,
        portal_status: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> dict[str, Any]:
        """One page of the customer list: ``data``, ``count``, ``next_cursor``."""
        params: dict[str, Any] = {"limit": limit}
        if q:
            params["q"] = q
        if portal_status:
            params["portal_status"] = portal_status
        if cursor:
            params["cursor"] = cursor
        data: dict[str, Any] = await self.get_json("/api/v1/customers", params=params)
        return data

    async def customer(self, customer_id: int) -> dict[str, Any]:
        """One customer with contacts and their portal accounts."""
        data: dict[str, Any] = await self.get_json(f"/api/v1/customers/{int(customer_id)}")
        return data

    async def workspace(self) -> dict[str, Any]:
        """The workspace settings (name, slug, portal status...)."""
        data: dict[str, Any] = await self.get_json("/api/v1/workspace")
        return data


def _error_from(response: httpx.Response) -> ApiError:
    status = response.status_code
    detail: str | None = None
    errors: dict[str, str] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
        if isinstance(body.get("errors"), dict):
            errors = {str(k): str(v) for k, v in body["errors"].items()}
    if detail is None:
        detail = _STATUS_MESSAGES.get(status)
    if detail is None:
        detail = (
            "The server had a problem and nothing was changed. Try again in a moment."
            if status >= 500
            else f"The server refused the request ({status})."
        )
    log.info("%s %s -> %s: %s", response.request.method, response.request.url.path, status, detail)
    if status == 401:
        expired = AuthExpired(_STATUS_MESSAGES[401], status, errors)
        expired.server_detail = detail
        return expired
    if status == 410:
        return CursorExpired(detail, status, errors)
    error = ApiError(detail, status, errors)
    if isinstance(body, dict):
        error.body = body
    return error
