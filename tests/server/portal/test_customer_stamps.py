"""A write goes stale only the pages it changes: the written customer's next page shows it,
every other customer's kept rows and home view are reused; pruned delete records never make a
stale page current again."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from server.db.base import utcnow
from server.db.models import Customer, PortalAccount, Workspace
from server.domain import portal_views
from server.domain.changes_feed import prune_tombstones
from server.domain.portal_view_models import HomeView, Scope
from server.domain.portal_visits import STAMP_COLUMNS, stamp_of
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.server.records_support import put
from tests.support.workspaces import TestWorkspace


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The customer id of every home view built from the database's rows from now on (on a
    worker thread or on the event loop)."""
    seen: list[int] = []
    real = portal_views.home_view_of

    def counted(scope: Scope, rows: Iterable[Any]) -> HomeView:
        seen.append(scope.customer_id)
        return real(scope, rows)

    monkeypatch.setattr(portal_views, "home_view_of", counted)
    return seen


def _crm(server: Server, customer: PortalCustomer, external_id: str) -> None:
    """Give the customer the id the CRM's records use."""
    with server.sessionmaker() as db:
        db.execute(
            update(Customer)
            .where(Customer.id == customer.customer_id)
            .values(external_id=external_id)
        )
        db.commit()


def _job(customer: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "customer_external_id": customer,
        "number": "J-901",
        "title": title,
        "internal_status": "scheduled",
        "scheduled_start": "2031-05-06T09:00:00Z",
        **extra,
    }


def _home(browser: Browser) -> str:
    page = browser.get("/")
    assert page.status_code == 200, page.text[:500]
    return page.text


Pair = tuple[tuple[Browser, int], tuple[Browser, int]]


@pytest.fixture
def pair(server: Server, ws: TestWorkspace) -> Iterator[Pair]:
    """Two customers of one workspace (CRM ids A and B), each signed in in a browser, with
    their customer ids."""
    signed: list[tuple[Browser, int]] = []
    for crm_id in ("A", "B"):
        customer = make_customer(server.sessionmaker, ws.id, ws.slug, name=f"Contact {crm_id}")
        _crm(server, customer, crm_id)
        browser = Browser(server.url, ws.slug)
        assert browser.sign_in(customer.email).status_code == 303
        signed.append((browser, customer.customer_id))
    yield signed[0], signed[1]
    for browser, _ in signed:
        browser.close()


def test_a_write_for_one_customer_keeps_every_other_customers_page(
    ws: TestWorkspace,
    pair: Pair,
    builds: list[int],
    full_lookups: list[int],
) -> None:
    (a, a_id), (b, b_id) = pair
    _home(a), _home(b)
    assert builds == [a_id, b_id]
    looked_up = len(full_lookups)
    assert put(ws.client(), "jobs", "J-901", _job("A", "Roof survey")).status_code == 201
    assert "Roof survey" in _home(a)  # A's own write shows on A's next page
    assert "Roof survey" not in _home(b)
    assert builds == [a_id, b_id, a_id]  # B's kept view was served as it was
    assert len(full_lookups) == looked_up + 1  # and B's session rows were reused too
    assert put(ws.client(), "jobs", "J-901", _job("A", "Roof repair")).status_code == 200
    assert "Roof repair" in _home(a)
    _home(b)
    assert builds == [a_id, b_id, a_id, a_id]


def test_a_record_moved_to_another_customer_leaves_the_first_ones_page(
    ws: TestWorkspace, pair: Pair
) -> None:
    (a, _), (b, _) = pair
    assert put(ws.client(), "jobs", "J-901", _job("A", "Porch light")).status_code == 201
    # A newer change of A's, so that moving the job away leaves A's newest change as it was.
    later = _job("A", "Hedge trim", number="J-902")
    assert put(ws.client(), "jobs", "J-902", later).status_code == 201
    assert "Porch light" in _home(a)
    assert "Porch light" not in _home(b)
    assert put(ws.client(), "jobs", "J-901", _job("B", "Porch light")).status_code == 200
    assert "Porch light" not in _home(a)
    assert "Porch light" in _home(b)


def test_what_every_customer_sees_goes_stale_for_all(
    ws: TestWorkspace, pair: Pair, builds: list[int]
) -> None:
    (a, _), (b, _) = pair
    _home(a), _home(b)
    c = ws.client("manager")
    tag = c.get("/api/v1/visibility-policy").headers["etag"]
    r = c.put(
        "/api/v1/visibility-policy/draft",
        json={"sections": {"jobs": False}},
        headers={"If-Match": tag},
    )
    assert r.status_code == 200, r.text
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    assert "Fix the boiler" not in _home(a)
    assert "Fix the boiler" not in _home(b)
    assert len(builds) == 4


def _stamp_parts(server: Server, account_id: int) -> tuple[int | None, int | None, int]:
    with server.sessionmaker() as db:
        found = db.execute(
            select(*STAMP_COLUMNS)
            .select_from(Workspace)
            .join(PortalAccount, PortalAccount.workspace_id == Workspace.id)
            .where(PortalAccount.id == account_id)
        ).one()
        return found[0], found[1], found[2]


def test_a_pruned_delete_never_makes_a_stale_page_current_again(
    server: Server, ws: TestWorkspace, customer: PortalCustomer, browser: Browser
) -> None:
    _crm(server, customer, "A")
    crm = ws.client()
    assert put(crm, "jobs", "J-901", _job("A", "Chimney sweep")).status_code == 201
    assert browser.sign_in(customer.email).status_code == 303
    assert "Chimney sweep" in _home(browser)  # kept under the stamp before the delete
    kept = _stamp_parts(server, customer.account_id)
    assert crm.delete("/api/v1/records/jobs/J-901").is_success
    # The customer stays away until the delete record is pruned.
    with server.sessionmaker() as db:
        assert prune_tombstones(db, utcnow() + timedelta(days=1)) >= 1
        db.commit()
    pruned = _stamp_parts(server, customer.account_id)
    # Without the horizon the stamp would be back where the kept page was made: the case.
    assert stamp_of(pruned[0], pruned[1], 0) <= stamp_of(*kept)
    assert stamp_of(*pruned) > stamp_of(*kept)
    assert "Chimney sweep" not in _home(browser)
