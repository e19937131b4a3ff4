"""On PostgreSQL a customer's home page is built on the event loop (the session check, the
page's one statement and the render), with no worker thread; on SQLite, and whenever a read on
the loop fails, it is built on a worker thread, and the customer sees the same page."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import pytest

from server.db.loop_reads import LoopReads
from tests.server.conftest import Server
from tests.server.portal.fixtures import Browser, PortalCustomer


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function run on a worker thread from now on."""
    seen: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(func, "__qualname__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return seen


def _home(browser: Browser) -> str:
    page = browser.get("/")
    assert page.status_code == 200, page.text[:500]
    assert "Sign in" not in page.text.split("<main", 1)[-1][:200]
    return page.text


def _built_on_threads(trips: list[str]) -> int:
    return sum(1 for name in trips if name.startswith("customer_page."))


def test_the_home_page_takes_no_worker_thread_on_postgresql(
    server: Server, customer: PortalCustomer, browser: Browser, trips: list[str]
) -> None:
    assert browser.sign_in(customer.email).status_code == 303
    trips.clear()
    first = _home(browser)  # the session's rows and the home view read afresh
    again = _home(browser)  # both kept, the session checked
    assert first == again
    if server.backend == "postgresql":
        assert _built_on_threads(trips) == 0
    else:
        assert _built_on_threads(trips) == 2


def test_a_failed_read_on_the_loop_builds_the_page_on_a_thread(
    server: Server,
    customer: PortalCustomer,
    browser: Browser,
    trips: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert browser.sign_in(customer.email).status_code == 303
    expected = _home(browser)

    async def unanswered(self: LoopReads, *args: Any) -> None:
        return None  # as when the database cannot be reached or every connection is busy

    monkeypatch.setattr(LoopReads, "rows", unanswered)
    trips.clear()
    assert _home(browser) == expected
    assert _built_on_threads(trips) == 1
