"""The API client against a live server: sign-in, me, sign-out, and plain-English errors."""

import asyncio

import httpx
import pytest

from app.api_client import ApiClient, make_http_client
from app.errors import ApiError, AuthExpired, OfflineError
from app.session import StaffSession
from server.wire.permissions import Permission
from tests.support.live_server import free_port
from tests.support.workspaces import PASSWORD

pytestmark = pytest.mark.asyncio


async def test_sign_in_me_and_sign_out_revokes_the_token(ws):
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http)
        token = await api.sign_in(ws.emails["dispatcher"], PASSWORD)
        assert token and api.token == token
        session = StaffSession.from_me(ws.base_url, await api.me())
        assert session.role == "dispatcher" and session.workspace_slug == ws.slug
        assert session.can(Permission.INVITE) and not session.can(Permission.MANAGE_TEAM)
        assert session.portal_url == f"{ws.base_url}/p/{ws.slug}/"
        await api.sign_out()
        assert api.token is None
        with pytest.raises(AuthExpired) as err:
            await ApiClient(ws.base_url, http, token).me()
        assert "sign in again" in err.value.message.lower()


async def test_wrong_password_is_a_plain_message_not_an_expiry(ws):
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http)
        with pytest.raises(ApiError) as err:
            await api.sign_in(ws.emails["owner"], "not the password")
        assert not isinstance(err.value, AuthExpired)
        assert err.value.status == 401 and "expired" not in err.value.message.lower()
        assert api.token is None


async def test_validation_errors_carry_field_messages(ws):
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http)
        with pytest.raises(ApiError) as err:
            await api.request("POST", "/api/v1/auth/token", json={"email": "x@y.z"})
        assert err.value.status == 422
        assert err.value.errors.get("password") == "This field is required."


async def test_forbidden_is_flagged_with_the_servers_detail(ws):
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http, ws.tokens["dispatcher"])
        with pytest.raises(ApiError) as err:
            await api.request("GET", "/api/v1/team")
        assert err.value.forbidden and err.value.message


async def test_unreachable_server_is_an_offline_error_with_a_plain_message():
    async with make_http_client(timeout=2) as http:
        api = ApiClient(f"http://127.0.0.1:{free_port()}", http, "t")
        with pytest.raises(OfflineError) as err:
            await api.me()
        assert "cannot reach" in err.value.message.lower() and err.value.status is None


async def test_non_json_server_error_gets_a_plain_message():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(ApiError) as err:
            await ApiClient("http://portal.invalid", http, "t").me()
    assert err.value.status == 502 and "nothing was changed" in err.value.message


async def test_held_requests_wait_for_release_and_go_with_the_token_set_meanwhile(ws):
    # As while the local workspace's server starts: the cache shows, the panels ask, and their
    # requests wait for the server (and its token) instead of failing as unreachable.
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http)
        api.hold()
        assert api.held
        waiting = asyncio.ensure_future(api.me())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        api.token = ws.tokens["dispatcher"]
        api.release()
        me = await asyncio.wait_for(waiting, 10)
        assert StaffSession.from_me(ws.base_url, me).role == "dispatcher"
        assert not api.held
        assert (await api.me()) == me  # later requests go at once


async def test_a_held_request_can_be_cancelled(ws):
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http)
        api.hold()
        waiting = asyncio.ensure_future(api.me())
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        api.release()
