"""Portal fixtures: a customer with an active account and a browser-like client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
