"""The home page's reused view is never stale: writes, policy changes and the clock show at once."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from server.db.base import utcnow
from server.db.models import Customer
from server.domain.home_views import HomeCache
from server.domain.portal_view_models import HomeView
from server.portal.deps import CustomerContext
from server.wire.visibility import VisibilityPolicy
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer
from tests.server.records_support import put
from tests.support.workspaces import TestWorkspace

CRM_ID = "C-home"


def _crm_customer(server: Server, customer: PortalCustomer) -> None:
    """Give the portal customer the id the CRM's records use (before any page is seen)."""
    with server.sessionmaker() as db:
        db.execute(
            update(Customer).where(Customer.id == customer.customer_id).values(external_id=CRM_ID)
        )
        db.commit()


def _job(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "customer_external_id": CRM_ID,
        "number": "J-777",
        "title": title,
        "internal_status": "scheduled",
        "scheduled_start": "2031-05-06T09:00:00Z",
        **extra,
    }


def _home(browser: Browser) -> str:
    page = browser.get("/")
    assert page.status_code == 200, page.text[:500]
    return page.text


def test_crm_writes_show_on_the_next_home_page(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, browser: Browser
) -> None:
    _crm_customer(server, customer)
    assert browser.sign_in(customer.email).status_code == 303
    crm = ws.client()
    assert "Gutter clearing" not in _home(browser)
    assert put(crm, "jobs", "J-777", _job("Gutter clearing")).status_code == 201
    assert "Gutter clearing" in _home(browser)
    assert _home(browser).count("Gutter clearing") == 1  # served again, unchanged
    assert put(crm, "jobs", "J-777", _job("Gutter repair")).status_code == 200
    page = _home(browser)
    assert "Gutter repair" in page and "Gutter clearing" not in page
    assert put(crm, "jobs", "J-777", _job("Gutter repair", internal_status="completed")).is_success
    assert "Gutter repair" not in _home(browser)  # no longer active
    quote = {"customer_external_id": CRM_ID, "number": "Q-88", "title": "New porch light"}
    quote["lines"] = [{"description": "Light", "unit_price_cents": 9000}]
    assert put(crm, "quotes", "Q-88", quote).status_code == 201
    assert "New porch light" in _home(browser)
    assert crm.delete("/api/v1/records/quotes/Q-88").is_success
    assert "New porch light" not in _home(browser)


def test_policy_change_shows_on_the_next_home_page(
    ws: TestWorkspace, customer: PortalCustomer, signed_in: Browser
) -> None:
    assert "Fix the boiler" in _home(signed_in)
    c = ws.client("manager")
    tag = c.get("/api/v1/visibility-policy").headers["etag"]
    draft = {"sections": {"jobs": False}}
    r = c.put("/api/v1/visibility-policy/draft", json=draft, headers={"If-Match": tag})
    assert r.status_code == 200, r.text
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    assert "Fix the boiler" not in _home(signed_in)


def test_a_quote_leaves_the_home_page_when_it_expires(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, browser: Browser
) -> None:
    _crm_customer(server, customer)
    assert browser.sign_in(customer.email).status_code == 303
    expires = utcnow() + timedelta(seconds=2)
    quote = {"customer_external_id": CRM_ID, "number": "Q-5", "title": "Short-lived offer"}
    quote |= {"lines": [{"description": "Offer", "unit_price_cents": 100}]}
    quote["expires_at"] = expires.isoformat()
    assert put(ws.client(), "quotes", "Q-5", quote).status_code == 201
    assert "Short-lived offer" in _home(browser)
    assert "Short-lived offer" in _home(browser)  # reused: nothing changed yet
    time.sleep(max(0.0, (expires - utcnow()).total_seconds()) + 0.2)
    assert "Short-lived offer" not in _home(browser)  # no write in between: the clock did it


def _ctx(seq: int, policy: VisibilityPolicy, *, preview: bool = False) -> CustomerContext:
    class Row:
        def __init__(self, **values: Any) -> None:
            self.__dict__.update(values)

    return CustomerContext(
        workspace=Row(id=1, slug="w"),  # type: ignore[arg-type]
        branding=None,  # type: ignore[arg-type]
        policy=policy,
        account=None,  # type: ignore[arg-type]
        contact=None,  # type: ignore[arg-type]
        customer=Row(id=7),  # type: ignore[arg-type]
        session=None,  # type: ignore[arg-type]
        is_preview=preview,
        csrf_token="t",
        changes_seq=seq,
    )


def _builder(turns_at: Any = None) -> tuple[list[int], Any]:
    built: list[int] = []

    def build() -> HomeView:
        built.append(1)
        return HomeView([], [], [], turns_at)

    return built, build


def test_cache_rules() -> None:
    policy = VisibilityPolicy()
    cache = HomeCache(size=2)
    built, build = _builder()
    first = cache.view(_ctx(5, policy), build)
    assert cache.view(_ctx(5, policy), build) is first and len(built) == 1
    cache.view(_ctx(6, policy), build)  # a newer change
    cache.view(_ctx(6, VisibilityPolicy()), build)  # another policy
    cache.view(_ctx(6, VisibilityPolicy(), preview=True), build)
    cache.view(_ctx(6, VisibilityPolicy(), preview=True), build)  # previews always build
    assert len(built) == 5
    built, build = _builder(utcnow() - timedelta(seconds=1))  # already past its turn
    cache.view(_ctx(6, policy), build)
    cache.view(_ctx(6, policy), build)
    assert len(built) == 2


def test_cache_keeps_at_most_its_size() -> None:
    cache = HomeCache(size=2)
    _, build = _builder()
    for customer in range(5):
        ctx = _ctx(1, VisibilityPolicy())
        ctx.customer.id = customer
        cache.view(ctx, build)
    assert len(cache) == 2
