"""An invoice is paid once: double clicks and two tabs racing, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from server.db.models import Invoice, OutboxEmail, Payment
from server.portal.deps import SESSION_COOKIE
from tests.server.conftest import Server
from tests.support.payers import Payer, add_invoice, checkout_token, make_payer
from tests.support.workspaces import TestWorkspace

GOOD = {"number": "4242424242424242", "expiry": "12/39", "cvc": "123", "name": "Dana"}


@pytest.fixture
def payer(server: Server, ws: TestWorkspace) -> Iterator[Payer]:
    p = make_payer(server.sessionmaker, server.url, ws.id)
    yield p
    p.close()


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run the calls in threads released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException] = [RuntimeError("not run")] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results  # type: ignore[return-value]


def tab(payer: Payer) -> httpx.Client:
    """Another browser tab of the same signed-in contact."""
    c = httpx.Client(
        base_url=str(payer.client.base_url),
        timeout=60,
        headers={"Origin": str(payer.client.base_url).rstrip("/")},
    )
    c.cookies.set(SESSION_COOKIE, payer.client.cookies[SESSION_COOKIE], path=payer.base)
    return c


def state(server: Server, invoice_id: int) -> tuple[str, int, int, int]:
    with server.sessionmaker() as s:
        inv = s.get(Invoice, invoice_id)
        assert inv is not None
        n = s.scalar(
            select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice_id)
        )
        mails = s.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.kind == "receipt", OutboxEmail.customer_id == inv.customer_id)
        )
        return inv.status, inv.balance_cents, n or 0, mails or 0


def test_double_click_on_pay_charges_once(server: Server, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer, 30_000)
    r = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    token = checkout_token(r)
    tabs = [tab(payer) for _ in range(4)]
    try:
        data = {"csrf_token": payer.csrf, **GOOD}
        results = at_once(
            [lambda c=c: c.post(f"{payer.base}/checkout/{token}", data=data) for c in tabs]
        )
    finally:
        for c in tabs:
            c.close()
    assert [r.status_code for r in results] == [303] * 4
    assert {r.headers["location"] for r in results} == {f"{payer.base}/checkout/{token}/done"}
    assert state(server, inv_id) == ("paid", 0, 1, 1)


def test_two_tabs_with_their_own_checkouts_pay_once(server: Server, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer, 45_000)
    tokens = [checkout_token(payer.post(f"{payer.base}/invoices/{inv_id}/pay")) for _ in range(3)]
    assert len(set(tokens)) == 3
    tabs = [tab(payer) for _ in tokens]
    try:
        data = {"csrf_token": payer.csrf, **GOOD}
        results = at_once(
            [
                lambda c=c, t=t: c.post(f"{payer.base}/checkout/{t}", data=data)
                for c, t in zip(tabs, tokens, strict=True)
            ]
        )
    finally:
        for c in tabs:
            c.close()
    # Each new checkout closed the older ones: only the newest tab can pay; the older two
    # are told their page was replaced, and nothing was charged there.
    assert [r.status_code for r in results] == [409, 409, 303]
    for r in results[:2]:
        assert "replaced by a newer one" in r.text and "not charged" in r.text
    assert state(server, inv_id) == ("paid", 0, 1, 1)
