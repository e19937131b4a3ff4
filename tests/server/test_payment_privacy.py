"""What the policy hides stays hidden through payment: the receipt email, the pay pages, and
a policy that would need to show it is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from server.db.models import Invoice, OutboxEmail, Payment, Workspace
from tests.server.conftest import Server
from tests.support.payers import Payer, add_invoice, checkout_token, make_payer
from tests.support.workspaces import TestWorkspace

GOOD = {"number": "4242424242424242", "expiry": "12/39", "cvc": "123", "name": "Dana"}


@pytest.fixture
def payer(server: Server, ws: TestWorkspace) -> Iterator[Payer]:
    p = make_payer(server.sessionmaker, server.url, ws.id)
    yield p
    p.close()


def _publish(server: Server, ws: TestWorkspace, policy: dict[str, object]) -> None:
    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        assert row is not None
        row.visibility = policy
        s.commit()


def _pay(payer: Payer, invoice_id: int) -> None:
    r = payer.post(f"{payer.base}/invoices/{invoice_id}/pay")
    assert r.status_code == 303, r.text
    token = checkout_token(r)
    assert payer.post(f"{payer.base}/checkout/{token}", GOOD).status_code == 303


def _receipt(server: Server, payer: Payer) -> OutboxEmail:
    with server.sessionmaker() as s:
        return s.scalars(
            select(OutboxEmail).where(
                OutboxEmail.kind == "receipt", OutboxEmail.customer_id == payer.customer_id
            )
        ).one()


def _number(server: Server, invoice_id: int) -> str:
    with server.sessionmaker() as s:
        inv = s.get(Invoice, invoice_id)
        assert inv is not None
        return inv.number


def test_the_receipt_email_leaves_out_a_hidden_invoice_number(
    server: Server, ws: TestWorkspace, payer: Payer
) -> None:
    _publish(server, ws, {"fields": {"invoices": {"number": False}}})
    inv_id = add_invoice(server.sessionmaker, payer, 8_000, balance_cents=8_000)
    _pay(payer, inv_id)
    mail = _receipt(server, payer)
    number = _number(server, inv_id)
    for body in (mail.subject, mail.body_text, mail.body_html):
        assert number not in body
    assert "$80.00" in mail.body_text and "Still owed" in mail.body_text
    # The pages after paying do not show it either.
    with server.sessionmaker() as s:
        payment_id = s.scalars(select(Payment.id).where(Payment.invoice_id == inv_id)).one()
    for path in (f"/receipts/{payment_id}", f"/invoices/{inv_id}/pay"):
        page = payer.client.get(f"{payer.base}{path}")
        assert page.status_code == 200 and number not in page.text


def test_the_receipt_email_leaves_out_a_balance_hidden_after_the_checkout_began(
    server: Server, ws: TestWorkspace, payer: Payer
) -> None:
    inv_id = add_invoice(server.sessionmaker, payer, 9_000)
    r = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    token = checkout_token(r)
    # The office hides balances (and so switches paying off) while the card page is open;
    # a payment the provider already took would still be recorded, the email says less.
    _publish(
        server,
        ws,
        {"fields": {"invoices": {"balance": False, "payments": False}}},
    )
    page = payer.client.get(f"{payer.base}/checkout/{token}")
    assert "Online payment is not available" in page.text
    from server.db.models import Checkout
    from server.domain.audit import SYSTEM
    from server.domain.payments import ReceiptLinks, apply_checkout_payment

    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        checkout = s.scalars(select(Checkout).where(Checkout.token == token)).one()
        assert row is not None
        apply_checkout_payment(
            s,
            row,
            checkout,
            provider_ref="late-1",
            amount_cents=4_000,
            actor=SYSTEM,
            links=ReceiptLinks(f"{server.url}{payer.base}"),
            money_taken=True,
        )
        s.commit()
    mail = _receipt(server, payer)
    for body in (mail.body_text, mail.body_html):
        assert "Still owed" not in body and "$50.00" not in body
        assert "/receipts/" not in body  # the receipt page would not open
    assert mail.link is None


def test_a_policy_that_hides_what_paying_needs_is_refused(ws: TestWorkspace) -> None:
    c = ws.client("manager")
    etag = c.get("/api/v1/visibility-policy").headers["etag"]
    hidden = {"fields": {"invoices": {"balance": False}}}
    r = c.put("/api/v1/visibility-policy/draft", json=hidden, headers={"If-Match": etag})
    assert r.status_code == 422
    assert "Show invoice balances, or switch online payment off" in r.json()["detail"]
    assert "actions.pay_invoices" in r.json()["errors"]
    # With paying switched off the same choice is fine, and publishes.
    allowed = {**hidden, "actions": {"pay_invoices": False}}
    r = c.put("/api/v1/visibility-policy/draft", json=allowed, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200


def test_a_stored_draft_that_hides_what_paying_needs_cannot_be_published(
    server: Server, ws: TestWorkspace
) -> None:
    with server.sessionmaker() as s:
        row = s.get(Workspace, ws.id)
        assert row is not None
        row.visibility_draft = {"sections": {"invoices": False}}
        s.commit()
    c = ws.client("owner")
    etag = c.get("/api/v1/visibility-policy").headers["etag"]
    r = c.post("/api/v1/visibility-policy/publish", headers={"If-Match": etag})
    assert r.status_code == 422
    assert "switch online payment off" in r.json()["detail"]


def test_an_older_policy_hiding_the_balance_keeps_paying_off(
    server: Server, ws: TestWorkspace, payer: Payer
) -> None:
    _publish(server, ws, {"fields": {"invoices": {"balance": False}}})
    inv_id = add_invoice(server.sessionmaker, payer, 7_700)
    invoice_page = payer.client.get(f"{payer.base}/invoices/{inv_id}")
    assert f"/invoices/{inv_id}/pay" not in invoice_page.text
    page = payer.client.get(f"{payer.base}/invoices/{inv_id}/pay")
    assert "Online payment is not available" in page.text and "$77.00" not in page.text
    r = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    assert "Online payment is not available" in r.text and "$77.00" not in r.text
