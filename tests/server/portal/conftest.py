"""Portal fixtures: a customer with an active account and a browser-like client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from server.domain import visit_cache
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer, make_customer
from tests.support.workspaces import TestWorkspace


@pytest.fixture
def customer(server: Server, ws: TestWorkspace) -> PortalCustomer:
    """A customer with records and an active portal account in the test workspace."""
    return make_customer(server.sessionmaker, ws.id, ws.slug)


@pytest.fixture
def browser(server: Server, ws: TestWorkspace) -> Iterator[Browser]:
    """A signed-out browser on the test workspace's portal."""
    b = Browser(server.url, ws.slug)
    yield b
    b.close()


@pytest.fixture
def signed_in(browser: Browser, customer: PortalCustomer) -> Browser:
    """The browser, signed in as the customer's contact."""
    response = browser.sign_in(customer.email)
    assert response.status_code == 303, response.text[:500]
    return browser


@pytest.fixture
def full_lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The session id of every lookup that loads a visit's rows afresh from now on (on a
    worker thread or on the event loop; -1 for rows that do not make a page's visit)."""
    seen: list[int] = []
    real = visit_cache._page_visit_of

    def counted(row: tuple[Any, ...], *rest: Any) -> visit_cache.PageVisit | None:
        visit = real(row, *rest)
        seen.append(-1 if visit is None else visit.session.id)
        return visit

    monkeypatch.setattr(visit_cache, "_page_visit_of", counted)
    return seen
