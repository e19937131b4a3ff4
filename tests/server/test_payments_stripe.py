"""Stripe Checkout against a fake of Stripe's API: redirect, webhooks once, races, bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from server.app import create_app
from server.db import migrate
from server.db.models import (
    AuditEvent,
    Checkout,
    FollowUp,
    Invoice,
    OutboxEmail,
    Payment,
    ProviderEvent,
    Workspace,
)
from server.settings import Settings
from tests.server.conftest import Server
from tests.server.test_payments_races import at_once, tab
from tests.support.databases import BACKENDS, temporary_database
from tests.support.fake_stripe import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    running_fake_stripe,
    sign,
)
from tests.support.live_server import free_port, serve_in_thread
from tests.support.payers import Payer, add_invoice, make_payer
from tests.support.workspaces import TestWorkspace, make_workspace


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeStripe]:
    with running_fake_stripe() as f:
        yield f


@pytest.fixture(scope="module", params=BACKENDS)
def stripe_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fake: FakeStripe
) -> Iterator[Server]:
    """A portal server that takes payments through (the fake) Stripe."""
    backend: str = request.param
    with temporary_database(backend, tmp_path_factory.mktemp(f"stripe-{backend}")) as url:
        port = free_port()
        settings = Settings(
            database_url=url,
            public_base_url=f"http://127.0.0.1:{port}",
            payment_provider="stripe",
            stripe_secret_key=SECRET_KEY,
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=fake.url,
        )
        app: FastAPI = create_app(settings)
        migrate.upgrade(app.state.engine)
        with serve_in_thread(app, port) as base:
            yield Server(backend, base, app, url)
        app.state.engine.dispose()


@pytest.fixture
def sws(stripe_server: Server) -> Iterator[TestWorkspace]:
    w = make_workspace(stripe_server.sessionmaker, stripe_server.url)
    yield w
    w.close()


@pytest.fixture
def payer(stripe_server: Server, sws: TestWorkspace) -> Iterator[Payer]:
    p = make_payer(stripe_server.sessionmaker, stripe_server.url, sws.id)
    yield p
    p.close()


def hook(payer: Payer) -> str:
    return f"{payer.base}/payments/stripe/webhook"


def to_stripe(payer: Payer, fake: FakeStripe, invoice_id: int) -> str:
    """Press Pay; returns the Checkout Session id the browser was sent to."""
    r = payer.post(f"{payer.base}/invoices/{invoice_id}/pay")
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"{fake.url}/pay/cs_test_")
    return r.headers["location"].rsplit("/", 1)[1]


def counts(server: Server, invoice_id: int) -> tuple[str, int, int, int]:
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


def test_checkout_session_carries_the_invoice(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 20_050)
    page = payer.client.get(f"{payer.base}/invoices/{inv_id}/pay")
    assert page.status_code == 200 and "TEST MODE" in page.text  # an sk_test_ key
    sid = to_stripe(payer, fake, inv_id)
    session = fake.sessions[sid]
    assert session["amount_total"] == 20_050 and session["currency"] == "usd"
    assert session["mode"] == "payment" and session["customer_email"] == payer.email
    assert session["metadata"]["invoice_id"] == str(inv_id)
    assert session["success_url"].startswith(f"{stripe_server.url}{payer.base}/checkout/")
    assert session["cancel_url"].endswith("/cancelled")
    # Not paid yet: the return page waits and says not to pay again.
    done = payer.client.get(session["success_url"].removeprefix(stripe_server.url))
    assert done.status_code == 200 and "Please do not pay again" in done.text
    cancelled = payer.client.get(session["cancel_url"].removeprefix(stripe_server.url))
    assert cancelled.status_code == 200 and "no money was taken" in cancelled.text
    assert counts(stripe_server, inv_id) == ("open", 20_050, 0, 0)


def test_webhook_pays_once_and_a_replay_changes_nothing(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 7_500)
    sid = to_stripe(payer, fake, inv_id)
    fake.complete(sid)
    event = fake.event(sid)
    with httpx.Client(base_url=stripe_server.url, timeout=30) as stripe_client:
        first = fake.deliver(stripe_client, hook(payer), event)
        assert first.status_code == 200 and first.json()["outcome"] == "processed"
        replay = fake.deliver(stripe_client, hook(payer), event)
        assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
        # A different event about the same session (Stripe may send both kinds).
        other = fake.deliver(
            stripe_client, hook(payer), fake.event(sid, "checkout.session.async_payment_succeeded")
        )
        assert other.status_code == 200
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)
    with stripe_server.sessionmaker() as s:
        [payment] = s.scalars(select(Payment).where(Payment.invoice_id == inv_id))
        assert (payment.provider, payment.provider_ref) == ("stripe", sid)
        assert payment.paid_by_contact_id == payer.contact_id
        event_id = json.loads(event)["id"]
        assert (
            s.scalar(
                select(func.count())
                .select_from(ProviderEvent)
                .where(ProviderEvent.event_id == event_id)
            )
            == 1
        )
    # The customer comes back afterwards: the receipt is there, nothing is applied twice.
    done = payer.client.get(
        f"{payer.base}/checkout/{fake.sessions[sid]['client_reference_id']}/done"
    )
    assert "payment received" in done.text and "$75.00" in done.text
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)


def test_return_page_and_webhooks_racing_apply_once(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 18_000)
    sid = to_stripe(payer, fake, inv_id)
    token = fake.sessions[sid]["client_reference_id"]
    fake.complete(sid)
    event = fake.event(sid)
    tabs = [tab(payer) for _ in range(2)]
    hooks = [httpx.Client(base_url=stripe_server.url, timeout=60) for _ in range(3)]
    try:
        calls = [lambda c=c: c.get(f"{payer.base}/checkout/{token}/done") for c in tabs]
        calls += [lambda c=c: fake.deliver(c, hook(payer), event) for c in hooks]
        results = at_once(calls)
    finally:
        for c in tabs + hooks:
            c.close()
    assert all(r.status_code == 200 for r in results)
    assert sorted(r.json()["outcome"] for r in results[2:]) == [
        "duplicate",
        "duplicate",
        "processed",
    ]
    assert all("payment received" in r.text for r in results[:2])
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)


def test_a_second_stripe_payment_of_a_paid_invoice_is_kept_for_refund(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 5_000)
    first = to_stripe(payer, fake, inv_id)
    # Stripe could not be reached to close the first when the second started: both open.
    fake.refuse_expire = True
    try:
        second = to_stripe(payer, fake, inv_id)
    finally:
        fake.refuse_expire = False
    with httpx.Client(base_url=stripe_server.url, timeout=30) as c:
        for sid in (first, second):
            fake.complete(sid)
            assert fake.deliver(c, hook(payer), fake.event(sid)).status_code == 200
    with stripe_server.sessionmaker() as s:
        rows = list(
            s.scalars(select(Payment).where(Payment.invoice_id == inv_id).order_by(Payment.id))
        )
        assert [(p.provider_ref, p.status) for p in rows] == [
            (first, "succeeded"),
            (second, "unapplied"),
        ]
        inv = s.get(Invoice, inv_id)
        assert inv is not None and (inv.status, inv.balance_cents) == ("paid", 0)
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.customer_id == payer.customer_id))
        )
        assert "payment.unapplied" in actions
        kinds = sorted(
            (f.kind, f.payment_id)
            for f in s.scalars(select(FollowUp).where(FollowUp.customer_id == payer.customer_id))
        )
        assert kinds == [("invoice_paid", rows[0].id), ("refund_needed", rows[1].id)]
        refund = s.scalars(select(FollowUp).where(FollowUp.kind == "refund_needed")).all()
        assert any(f.title.startswith("Refund $50.00 to ") for f in refund)
    # A webhook delivered again files nothing more.
    with httpx.Client(base_url=stripe_server.url, timeout=30) as c:
        assert fake.deliver(c, hook(payer), fake.event(second)).status_code == 200
    with stripe_server.sessionmaker() as s:
        count = s.scalars(select(FollowUp).where(FollowUp.customer_id == payer.customer_id)).all()
        assert len(count) == 2


def test_webhook_bad_input(stripe_server: Server, payer: Payer, fake: FakeStripe) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 6_000)
    sid = to_stripe(payer, fake, inv_id)
    fake.complete(sid)
    event = fake.event(sid)
    url = stripe_server.url + hook(payer)
    with httpx.Client(timeout=30) as c:
        cases = [
            ({"Stripe-Signature": sign(event, "whsec_wrong")}, event),
            ({}, event),
            ({"Stripe-Signature": "garbage"}, event),
            ({"Stripe-Signature": sign(event, timestamp=1_000_000_000)}, event),  # too old
            ({"Stripe-Signature": sign(b"{not json")}, b"{not json"),
            ({"Stripe-Signature": sign(b'{"hello": 1}')}, b'{"hello": 1}'),
            ({"Stripe-Signature": sign(event)}, event + b" "),  # body changed after signing
        ]
        for headers, body in cases:
            r = c.post(url, content=body, headers={"Content-Type": "application/json", **headers})
            assert r.status_code == 400, (headers, body[:30])
            assert r.json()["detail"]
        # Signed events the portal does not act on are acknowledged and ignored.
        for payload in (
            fake.event(sid, "charge.refunded"),
            json.dumps(
                {
                    "id": "evt_x1",
                    "type": "checkout.session.completed",
                    "data": {"object": {"id": "cs_unknown", "payment_status": "paid"}},
                }
            ).encode(),
        ):
            r = c.post(url, content=payload, headers={"Stripe-Signature": sign(payload)})
            assert r.status_code == 200 and r.json()["outcome"] == "ignored"
        r = c.post(
            stripe_server.url + "/p/no-such-portal/payments/stripe/webhook",
            content=event,
            headers={"Stripe-Signature": sign(event)},
        )
        assert r.status_code == 404
    assert counts(stripe_server, inv_id) == ("open", 6_000, 0, 0)


def test_stripe_unreachable_takes_nothing(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 3_000)
    fake.unavailable = True
    try:
        r = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    finally:
        fake.unavailable = False
    assert r.status_code == 503
    assert "could not be reached" in r.text and "No money was taken" in r.text
    assert counts(stripe_server, inv_id) == ("open", 3_000, 0, 0)


def test_a_webhook_on_the_sandbox_server_is_refused(
    server: Server, ws: TestWorkspace, fake: FakeStripe
) -> None:
    body = b'{"id": "evt_1", "type": "checkout.session.completed"}'
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post(
            f"/p/{ws.slug}/payments/stripe/webhook",
            content=body,
            headers={"Stripe-Signature": sign(body)},
        )
    assert r.status_code == 503


def test_webhook_still_applies_while_portal_is_coming_soon(
    stripe_server: Server, sws: TestWorkspace, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 4_200)
    sid = to_stripe(payer, fake, inv_id)
    fake.complete(sid)
    with stripe_server.sessionmaker() as s:
        ws_row = s.get(Workspace, sws.id)
        assert ws_row is not None
        ws_row.portal_status = "coming_soon"
        s.commit()
    # Customers now see the coming-soon page...
    assert "coming soon" in payer.client.get(f"{payer.base}/").text.lower()
    # ...but the money Stripe already took is still recorded.
    with httpx.Client(base_url=stripe_server.url, timeout=30) as stripe_client:
        r = fake.deliver(stripe_client, hook(payer), fake.event(sid))
    assert r.status_code == 200 and r.json()["outcome"] == "processed"
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)


def test_a_new_checkout_expires_the_older_one(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 4_200)
    first = to_stripe(payer, fake, inv_id)
    second = to_stripe(payer, fake, inv_id)  # another tab
    assert fake.sessions[first]["status"] == "expired"  # the first tab can no longer pay
    assert fake.sessions[second]["status"] == "open"
    with stripe_server.sessionmaker() as s:
        statuses = {
            c.provider_session_id: c.status
            for c in s.scalars(select(Checkout).where(Checkout.invoice_id == inv_id))
        }
    assert statuses == {first: "expired", second: "open"}
    # The first tab's return page does not ask to pay again, and nothing was taken.
    token = fake.sessions[first]["client_reference_id"]
    assert payer.client.get(f"{payer.base}/checkout/{token}/done").status_code == 200
    fake.complete(second)
    with httpx.Client(base_url=stripe_server.url, timeout=30) as c:
        assert fake.deliver(c, hook(payer), fake.event(second)).status_code == 200
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)


def test_an_older_checkout_paid_meanwhile_is_recorded_and_no_new_one_starts(
    stripe_server: Server, payer: Payer, fake: FakeStripe
) -> None:
    inv_id = add_invoice(stripe_server.sessionmaker, payer, 3_300)
    first = to_stripe(payer, fake, inv_id)
    fake.complete(first)  # paid on Stripe's page; the webhook has not arrived yet
    before = len(fake.sessions)
    again = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    assert again.status_code == 409
    assert "just paid" in again.text
    assert len(fake.sessions) == before  # no second Checkout Session
    assert counts(stripe_server, inv_id) == ("paid", 0, 1, 1)
