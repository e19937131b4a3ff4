"""Paying an invoice in the sandbox: the happy path, declines, bad input and other customers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from server.db.models import AuditEvent, Change, Checkout, Invoice, OutboxEmail, Payment, Workspace
from tests.server.conftest import Server
from tests.support.payers import Payer, add_invoice, checkout_token, make_payer
from tests.support.workspaces import TestWorkspace, make_workspace

GOOD = {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123", "name": "Dana Payer"}
DECLINED = {**GOOD, "number": "4000 0000 0000 0002"}


@pytest.fixture
def payer(server: Server, ws: TestWorkspace) -> Iterator[Payer]:
    p = make_payer(server.sessionmaker, server.url, ws.id)
    yield p
    p.close()


def start(payer: Payer, invoice_id: int) -> str:
    r = payer.post(f"{payer.base}/invoices/{invoice_id}/pay")
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith(f"{payer.base}/checkout/{checkout_token(r)}")
    return checkout_token(r)


def invoice(server: Server, invoice_id: int) -> Invoice:
    with server.sessionmaker() as s:
        inv = s.get(Invoice, invoice_id)
        assert inv is not None
        return inv


def payments(server: Server, invoice_id: int) -> list[Payment]:
    with server.sessionmaker() as s:
        return list(s.scalars(select(Payment).where(Payment.invoice_id == invoice_id)))


def test_pay_an_invoice_in_the_sandbox(server: Server, ws: TestWorkspace, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer, 12_550)
    assert f"/invoices/{inv_id}/pay" in payer.client.get(f"{payer.base}/invoices/{inv_id}").text
    page = payer.client.get(f"{payer.base}/invoices/{inv_id}/pay")
    assert page.status_code == 200
    assert "TEST MODE" in page.text and "$125.50" in page.text
    assert "content-security-policy" in page.headers

    token = start(payer, inv_id)
    card_page = payer.client.get(f"{payer.base}/checkout/{token}")
    assert card_page.status_code == 200
    assert "TEST MODE" in card_page.text
    assert "4242 4242 4242 4242" in card_page.text and "4000 0000 0000 0002" in card_page.text

    paid = payer.post(f"{payer.base}/checkout/{token}", GOOD)
    assert paid.status_code == 303
    assert paid.headers["location"] == f"{payer.base}/checkout/{token}/done"
    done = payer.client.get(paid.headers["location"])
    assert done.status_code == 200 and "payment received" in done.text
    assert "$125.50" in done.text

    after = invoice(server, inv_id)
    assert (after.status, after.balance_cents, after.version) == ("paid", 0, 2)
    [payment] = payments(server, inv_id)
    assert payment.amount_cents == 12_550 and payment.provider == "sandbox"
    assert payment.paid_by_contact_id == payer.contact_id and payment.status == "succeeded"
    assert payment.receipt_number and payment.receipt_number in done.text

    with server.sessionmaker() as s:
        [mail] = s.scalars(select(OutboxEmail).where(OutboxEmail.customer_id == payer.customer_id))
        assert (mail.kind, mail.to_address, mail.status) == ("receipt", payer.email, "pending")
        assert mail.link == f"{server.url}{payer.base}/receipts/{payment.id}"
        assert "$125.50" in mail.body_text and "TEST MODE" in mail.body_text
        actions = set(
            s.scalars(select(AuditEvent.action).where(AuditEvent.customer_id == payer.customer_id))
        )
        assert {"invoice.checkout_started", "invoice.paid"} <= actions
        changed = set(
            s.execute(select(Change.entity, Change.entity_id).where(Change.workspace_id == ws.id))
        )
        assert ("invoice", inv_id) in changed and ("payment", payment.id) in changed

    # The office's inbox has the payment, once, with what a dispatcher needs to read.
    paid_items = (
        ws.client("dispatcher")
        .get("/api/v1/follow-ups", params={"kind": "invoice_paid"})
        .json()["data"]
    )
    assert len(paid_items) == 1
    assert paid_items[0]["payment_id"] == payment.id and paid_items[0]["invoice_id"] == inv_id
    assert paid_items[0]["details"]["receipt_number"] == payment.receipt_number
    assert paid_items[0]["details"]["amount_cents"] == 12_550
    assert "($125.50, receipt " in paid_items[0]["title"]

    receipt = payer.client.get(f"{payer.base}/receipts/{payment.id}")
    assert receipt.status_code == 200
    assert payment.receipt_number in receipt.text and "$125.50" in receipt.text

    # The same card page again: already paid, nothing more happens.
    again = payer.post(f"{payer.base}/checkout/{token}", GOOD)
    assert again.status_code == 303
    assert len(payments(server, inv_id)) == 1
    # Paying a paid invoice: plain refusal, no new checkout.
    refused = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    assert refused.status_code == 409 and "already paid" in refused.text
    assert "already paid" in payer.client.get(f"{payer.base}/invoices/{inv_id}/pay").text
    again_items = ws.client("dispatcher").get("/api/v1/follow-ups").json()
    assert again_items["count"] == 1


def test_a_declined_card_takes_nothing(server: Server, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer, 9_900)
    token = start(payer, inv_id)
    declined = payer.post(f"{payer.base}/checkout/{token}", DECLINED)
    assert declined.status_code == 402
    assert "declined" in declined.text and "No money was taken" in declined.text
    assert invoice(server, inv_id).balance_cents == 9_900
    assert payments(server, inv_id) == []
    with server.sessionmaker() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.customer_id == payer.customer_id,
                    AuditEvent.action == "payment.declined",
                )
            )
            == 1
        )
        assert (
            s.scalar(
                select(func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.customer_id == payer.customer_id)
            )
            == 0
        )
    # The same checkout can still be paid with a good card.
    assert payer.post(f"{payer.base}/checkout/{token}", GOOD).status_code == 303
    assert invoice(server, inv_id).status == "paid"


@pytest.mark.parametrize(
    ("card", "words"),
    [
        ({**GOOD, "number": "4242 4242 4242 4241"}, "not valid"),
        ({**GOOD, "number": "4111 1111 1111 1111"}, "test card numbers"),
        ({**GOOD, "number": "abcd"}, "not valid"),
        ({**GOOD, "expiry": "01/20"}, "expired"),
        ({**GOOD, "expiry": "13/30"}, "between 01 and 12"),
        ({**GOOD, "expiry": "soon"}, "MM/YY"),
        ({**GOOD, "cvc": "1"}, "security code"),
        ({**GOOD, "number": ""}, "not valid"),
    ],
)
def test_card_typing_mistakes_are_explained(
    server: Server, payer: Payer, card: dict[str, str], words: str
) -> None:
    inv_id = add_invoice(server.sessionmaker, payer)
    token = start(payer, inv_id)
    r = payer.post(f"{payer.base}/checkout/{token}", card)
    assert r.status_code == 422
    assert words in r.text
    assert 'aria-invalid="true"' in r.text
    assert invoice(server, inv_id).status == "open" and payments(server, inv_id) == []


def test_oversized_form_fields_are_refused(server: Server, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer)
    token = start(payer, inv_id)
    r = payer.post(f"{payer.base}/checkout/{token}", {**GOOD, "number": "4" * 500})
    assert r.status_code == 422
    assert payments(server, inv_id) == []


def test_void_and_settled_invoices_cannot_be_paid(server: Server, payer: Payer) -> None:
    void_id = add_invoice(server.sessionmaker, payer, status="void")
    settled_id = add_invoice(server.sessionmaker, payer, balance_cents=0)
    r = payer.post(f"{payer.base}/invoices/{void_id}/pay")
    assert r.status_code == 409 and "cancelled" in r.text
    r = payer.post(f"{payer.base}/invoices/{settled_id}/pay")
    assert r.status_code == 409 and "Nothing is owed" in r.text
    with server.sessionmaker() as s:
        n = s.scalar(
            select(func.count())
            .select_from(Checkout)
            .where(Checkout.customer_id == payer.customer_id)
        )
        assert n == 0


def test_an_invoice_voided_after_checkout_started_is_not_charged(
    server: Server, payer: Payer
) -> None:
    inv_id = add_invoice(server.sessionmaker, payer)
    token = start(payer, inv_id)
    with server.sessionmaker() as s:
        s.get(Invoice, inv_id).status = "void"  # type: ignore[union-attr]
        s.commit()
    r = payer.post(f"{payer.base}/checkout/{token}", GOOD)
    assert r.status_code == 409 and "cancelled" in r.text
    assert payments(server, inv_id) == []


def test_other_customers_and_missing_ids_are_not_found(
    server: Server, ws: TestWorkspace, payer: Payer
) -> None:
    other = make_payer(server.sessionmaker, server.url, ws.id, "Other Customer")
    foreign_ws = make_workspace(server.sessionmaker, server.url)
    stranger = make_payer(server.sessionmaker, server.url, foreign_ws.id, "Stranger")
    try:
        mine = add_invoice(server.sessionmaker, payer)
        token = start(payer, mine)
        assert payer.post(f"{payer.base}/checkout/{token}", GOOD).status_code == 303
        [payment] = payments(server, mine)
        theirs = add_invoice(server.sessionmaker, stranger)
        for client_payer, path in [
            (other, f"/invoices/{mine}/pay"),
            (other, f"/checkout/{token}"),
            (other, f"/checkout/{token}/done"),
            (other, f"/checkout/{token}/cancelled"),
            (other, f"/receipts/{payment.id}"),
            (payer, f"/invoices/{theirs}/pay"),
            (payer, "/invoices/999999999/pay"),
            (payer, "/checkout/no-such-token"),
            (payer, "/receipts/999999999"),
        ]:
            r = client_payer.client.get(client_payer.base + path)
            assert r.status_code == 404, path
            assert "text/html" in r.headers["content-type"]
        r = other.post(f"{other.base}/invoices/{mine}/pay")
        assert r.status_code == 404
        r = other.post(f"{other.base}/checkout/{token}", GOOD)
        assert r.status_code == 404
        assert len(payments(server, mine)) == 1
        assert invoice(server, theirs).balance_cents == 12_500
    finally:
        other.close()
        stranger.close()
        foreign_ws.close()


def test_pay_action_switched_off(server: Server, ws: TestWorkspace, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer)
    token = start(payer, inv_id)  # started while paying was still allowed
    with server.sessionmaker() as s:
        w = s.get(Workspace, ws.id)
        assert w is not None
        w.visibility = {"actions": {"pay_invoices": False}}
        s.commit()
    invoice_page = payer.client.get(f"{payer.base}/invoices/{inv_id}")
    assert invoice_page.status_code == 200
    assert f"/invoices/{inv_id}/pay" not in invoice_page.text  # no pay button
    page = payer.client.get(f"{payer.base}/invoices/{inv_id}/pay")
    assert page.status_code == 200
    assert "Online payment is not available" in page.text
    assert '<button type="submit">Pay' not in page.text
    r = payer.post(f"{payer.base}/invoices/{inv_id}/pay")
    assert "Online payment is not available" in r.text
    r = payer.post(f"{payer.base}/checkout/{token}", GOOD)
    assert "Online payment is not available" in r.text
    assert invoice(server, inv_id).status == "open" and payments(server, inv_id) == []
    with server.sessionmaker() as s:
        n = s.scalar(
            select(func.count()).select_from(Checkout).where(Checkout.invoice_id == inv_id)
        )
        assert n == 1  # only the one started before the switch


def test_forms_need_the_csrf_token_and_origin(server: Server, payer: Payer) -> None:
    inv_id = add_invoice(server.sessionmaker, payer)
    r = payer.client.post(f"{payer.base}/invoices/{inv_id}/pay", data={"csrf_token": "wrong"})
    assert r.status_code == 403
    r = payer.client.post(
        f"{payer.base}/invoices/{inv_id}/pay",
        data={"csrf_token": payer.csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    with server.sessionmaker() as s:
        n = s.scalar(
            select(func.count()).select_from(Checkout).where(Checkout.invoice_id == inv_id)
        )
        assert n == 0


def test_signed_out_visitors_are_sent_to_sign_in(server: Server, ws: TestWorkspace, anon) -> None:
    r = anon.get(f"/p/{ws.slug}/invoices/1/pay")
    assert r.status_code == 303 and "/sign-in" in r.headers["location"]
