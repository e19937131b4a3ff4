"""A customer in another time zone: the contact's own zone, from the CRM or the office, and
portal times in the business's local time, with the business's zone named only for them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from sqlalchemy import update

from server.db.models import Job
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, make_customer
from tests.server.records_support import contact_body, customer_body, put
from tests.support.workspaces import TestWorkspace

# 22:05 UTC on March 3, 2026 is 2:05 PM in Oregon (Pacific Standard Time, UTC-8).
SCHEDULED = datetime(2026, 3, 3, 22, 5, tzinfo=UTC)
LOCAL = re.compile(r"Tue, March 3, 2026, 2:05\s?PM(?P<zone>[^<]*)<")


def _set_zone(c: httpx.Client, ws_zone: str) -> None:
    tag = c.get("/api/v1/workspace").headers["etag"]
    r = c.patch("/api/v1/workspace", json={"time_zone": ws_zone}, headers={"If-Match": tag})
    assert r.status_code == 200, r.text


def _patch_contact(c: httpx.Client, contact_id: int, body: dict[str, object]) -> httpx.Response:
    tag = c.get(f"/api/v1/contacts/{contact_id}").headers["etag"]
    return c.patch(f"/api/v1/contacts/{contact_id}", json=body, headers={"If-Match": tag})


def test_the_crm_sets_a_contact_zone_and_an_update_without_it_keeps_it(
    server: Server, ws: TestWorkspace
) -> None:
    c = ws.client("owner")
    customer = put(c, "customers", "C-1", customer_body()).json()
    r = put(c, "contacts", "P-1", contact_body("C-1", time_zone="America/New_York"))
    assert r.status_code == 201, r.text

    def zone() -> str | None:
        detail = c.get(f"/api/v1/customers/{customer['id']}").json()
        return detail["contacts"][0]["time_zone"]

    assert zone() == "America/New_York"
    assert put(c, "contacts", "P-1", contact_body("C-1", phone="555 0101")).status_code == 200
    assert zone() == "America/New_York"  # not mentioned: kept
    assert put(c, "contacts", "P-1", contact_body("C-1", time_zone=None)).status_code == 200
    assert zone() is None  # null said outright: the business's zone again
    bad = put(c, "contacts", "P-1", contact_body("C-1", time_zone="Eastern"))
    assert bad.status_code == 422
    assert "Choose a time zone from the list" in str(bad.json()["errors"])
    assert zone() is None  # nothing half-written


def test_the_office_sets_and_clears_a_contact_zone(server: Server, ws: TestWorkspace) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug, records=False)
    c = ws.client("dispatcher")
    r = _patch_contact(c, customer.contact_id, {"time_zone": "Europe/Berlin"})
    assert r.status_code == 200, r.text
    assert r.json()["time_zone"] == "Europe/Berlin"
    bad = _patch_contact(c, customer.contact_id, {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 422 and "time_zone" in str(bad.json()["errors"])
    long = _patch_contact(c, customer.contact_id, {"time_zone": "x" * 65})
    assert long.status_code == 422
    assert c.get(f"/api/v1/contacts/{customer.contact_id}").json()["time_zone"] == "Europe/Berlin"
    cleared = _patch_contact(c, customer.contact_id, {"time_zone": None})
    assert cleared.status_code == 200 and cleared.json()["time_zone"] is None
    audit = c.get("/api/v1/audit", params={"action": "contact.updated"}).json()["data"]
    assert any("time_zone" in (e["detail"].get("changes") or {}) for e in audit)


def test_portal_times_name_the_business_zone_only_for_a_customer_elsewhere(
    server: Server, ws: TestWorkspace
) -> None:
    customer = make_customer(server.sessionmaker, ws.id, ws.slug)
    with server.sessionmaker() as s:
        s.execute(
            update(Job).where(Job.id == customer.ids["job"]).values(scheduled_start=SCHEDULED)
        )
        s.commit()
    owner = ws.client("owner")
    _set_zone(owner, "America/Los_Angeles")
    browser = Browser(server.url, ws.slug)
    assert browser.sign_in(customer.email).status_code == 303

    def shown() -> str:
        page = browser.get(f"/jobs/{customer.ids['job']}")
        assert page.status_code == 200
        found = LOCAL.search(page.text)
        assert found, page.text
        return found.group("zone").strip()

    assert shown() == ""  # the customer's zone is unknown: the business's time, no suffix
    for same_clock in ("America/Los_Angeles", "America/Vancouver"):  # same offset that day
        assert _patch_contact(owner, customer.contact_id, {"time_zone": same_clock}).is_success
        assert shown() == ""
    assert _patch_contact(owner, customer.contact_id, {"time_zone": "America/New_York"}).is_success
    assert shown() == "Pacific Standard Time"
    cleared = _patch_contact(owner, customer.contact_id, {"time_zone": None})
    assert cleared.is_success
    assert shown() == ""  # back to the business's zone: the page follows at once
    browser.close()
