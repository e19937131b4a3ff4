"""The feed's ``data`` (written by the database) equals each record's values as the API
encodes them, for every entity, timestamp and boolean of a demo workspace."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.sql.elements import Label

from server.db.models import StaffUser
from server.demo.seed import seed_demo, staff_email
from server.domain.changes_compact import COMPACT
from server.domain.customer_summary import customer_row
from server.domain.staff import issue_token_for
from tests.server.conftest import Server

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def _expected(obj: Any, entity: str) -> dict[str, Any]:
    if entity == "customer":
        return customer_row(obj).model_dump(mode="json")
    out: dict[str, Any] = {}
    for col in COMPACT[entity][1]:
        attr = col.element.key if isinstance(col, Label) else col.key
        out[col.key] = _JSON.dump_python(getattr(obj, attr), mode="json")
    return out


def _full_feed(url: str, token: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    since = "0"
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
        while True:
            r = c.get("/api/v1/changes", params={"since": since, "limit": limit})
            assert r.status_code == 200, r.text
            page = r.json()
            items += page["data"]
            since = page["next_cursor"]
            if not page["has_more"]:
                return items


def test_every_entity_matches_its_stored_values(server: Server) -> None:
    slug = f"feed-{secrets.token_hex(4)}"
    with server.sessionmaker() as s:
        seed_demo(s, slug=slug, customers=40, seed=3)
        owner = s.scalar(select(StaffUser).where(StaffUser.email == staff_email("owner", slug)))
        assert owner is not None
        token = issue_token_for(s, owner, 1).token
    items = _full_feed(server.url, token, limit=97)  # pages that split entities
    assert len({(i["entity"], i["id"]) for i in items}) == len(items)
    entities = {i["entity"] for i in items}
    assert {"customer", "contact", "portal_account", "job", "quote", "invoice"} <= entities
    seen_bools: set[bool] = set()
    seen_stamps: set[bool] = set()
    with server.sessionmaker() as s:
        for item in items:
            assert item["op"] == "upsert", item
            model = COMPACT[item["entity"]][0]
            obj = s.get(model, item["id"])
            assert obj is not None
            assert item["data"] == _expected(obj, item["entity"]), item
            if item["entity"] == "contact":
                seen_bools.add(item["data"]["is_primary"])
            for key, value in item["data"].items():
                if isinstance(value, str) and key.endswith(("_at", "_start", "_end")):
                    seen_stamps.add("." in value)  # with and without microseconds
    assert seen_bools == {True, False}
    assert seen_stamps == {True, False}
