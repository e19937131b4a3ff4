"""Workspace time zone, locale and currency; former portal addresses; payment status."""

from __future__ import annotations

import httpx

from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, make_customer
from tests.support.workspaces import TestWorkspace, make_workspace


def _patch(c: httpx.Client, **body: object) -> httpx.Response:
    tag = c.get("/api/v1/workspace").headers["etag"]
    return c.patch("/api/v1/workspace", json=body, headers={"If-Match": tag})


def test_settings_are_read_and_bad_values_refused(ws: TestWorkspace) -> None:
    c = ws.client("owner")
    data = c.get("/api/v1/workspace").json()
    assert data["time_zone"] is None and data["locale"] == "en_US" and data["currency"] == "USD"
    assert data["payment"]["provider"] == "sandbox" and data["payment"]["test_mode"] is True
    assert data["payment"]["last_webhook_at"] is None and data["former_slugs"] == []
    for body, field, words in (
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone from the list"),
        ({"time_zone": "PST8PDT-ish"}, "time_zone", "time zone from the list"),
        ({"locale": "xx_YY"}, "locale", "language and region"),
        ({"locale": "en-US; drop"}, "locale", "language and region"),
        ({"currency": "DOLLARS"}, "currency", "three-letter"),
        ({"currency": "ZZZ"}, "currency", "three-letter"),
    ):
        r = _patch(c, **body)
        assert r.status_code == 422, (body, r.text)
        assert words in r.json()["errors"][field]
    assert c.get("/api/v1/workspace").json()["time_zone"] is None
    r = _patch(c, time_zone="America/Los_Angeles", locale="en_GB", currency="cad")
    assert r.status_code == 200, r.text
    assert (r.json()["time_zone"], r.json()["locale"], r.json()["currency"]) == (
        "America/Los_Angeles",
        "en_GB",
        "CAD",
    )
    assert _patch(ws.client("manager"), time_zone="UTC").status_code == 403


def test_portal_times_are_local_without_a_zone_suffix(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug)
    browser = Browser(server.url, ws.slug)
    assert browser.sign_in(customer.email).status_code == 303
    form = {"description": "Leaking tap in the kitchen", "address_id": str(customer.ids["address"])}
    sent = browser.client.get(browser.post("/request", form).headers["location"]).text
    assert " UTC." in sent  # no zone chosen yet: the time says it is UTC
    assert _patch(ws.client("owner"), time_zone="America/Los_Angeles").status_code == 200
    again = browser.client.get(browser.post("/request", form).headers["location"]).text
    assert "We received it on" in again and " UTC" not in again
    browser.close()


def test_old_address_redirects_and_stays_reserved(server: Server, ws: TestWorkspace) -> None:
    c = ws.client("owner")
    old = ws.slug
    new = f"{old}-moved"
    r = _patch(c, slug=new)
    assert r.status_code == 200 and r.json()["former_slugs"] == [old]
    anon = httpx.Client(base_url=server.url)
    page = anon.get(f"/p/{old}/sign-in?next=/p/{old}/jobs", follow_redirects=False)
    assert page.status_code == 301
    assert page.headers["location"] == f"/p/{new}/sign-in?next=/p/{old}/jobs"
    form = anon.post(f"/p/{old}/sign-in", data={"email": "x"}, follow_redirects=False)
    assert form.status_code == 308 and form.headers["location"] == f"/p/{new}/sign-in"
    assert anon.get(f"/p/{old}/", follow_redirects=False).headers["location"] == f"/p/{new}/"
    other = make_workspace(server.sessionmaker, server.url)
    taken = _patch(other.client("owner"), slug=old)
    assert taken.status_code == 409 and taken.json()["errors"]["slug"] == "Already taken."
    reserved = _patch(c, slug="admin")
    assert reserved.status_code == 422 and "reserved" in reserved.json()["errors"]["slug"]
    # Moving back reclaims the old address; the one left behind now redirects.
    back = _patch(c, slug=old)
    assert back.status_code == 200 and back.json()["former_slugs"] == [new]
    assert anon.get(f"/p/{old}/sign-in").status_code == 200
    anon.close()
    other.close()
