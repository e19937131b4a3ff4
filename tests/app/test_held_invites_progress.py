"""Going live from the console: the held invites are counted down while the server sends them."""

import pytest

from app import rollout
from app.api_client import ApiClient, make_http_client
from app.errors import ApiError
from server.wire.rollout import BLOCKING_ITEMS
from tests.support.customers import add_customer

pytestmark = pytest.mark.asyncio

CONTACTS = 40


async def test_go_live_counts_the_held_invites_down(live, coming_soon_ws):
    ws = coming_soon_ws
    ids = [
        add_customer(
            live.sessionmaker, ws.id, f"Held {i:02d}", [(f"H{i}", f"held{i}@example.com", None)]
        ).contact_ids[0]
        for i in range(CONTACTS)
    ]
    owner = ws.client("owner")
    r = owner.post("/api/v1/portal-invites/bulk", json={"contact_ids": ids, "dry_run": False})
    assert r.json()["counts"] == {"invited": CONTACTS}
    async with make_http_client() as http:
        api = ApiClient(ws.base_url, http, ws.tokens["owner"])
        assert await rollout.held_invites_waiting(api) == CONTACTS
        answer = await rollout.set_portal_status(api, "active", sorted(BLOCKING_ITEMS))
        assert answer["portal_status"] == "active"
        seen: list[tuple[int, int]] = []
        sent = await rollout.follow_held_invites(
            api, lambda done, total: seen.append((done, total)), every=0.05
        )
        assert sent == CONTACTS
        assert seen[-1] == (CONTACTS, CONTACTS)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # only ever forward
        assert await rollout.held_invites_waiting(api) == 0
        # A dispatcher may look at the count; a signed-out client gets a plain refusal.
        assert (
            await rollout.held_invites_waiting(
                ApiClient(ws.base_url, http, ws.tokens["dispatcher"])
            )
            == 0
        )
        with pytest.raises(ApiError):
            await rollout.held_invites_waiting(ApiClient(ws.base_url, http, None))
