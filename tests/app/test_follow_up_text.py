"""What the inbox says: amounts, times, who did what, clashes and each kind's lines."""

from __future__ import annotations

from datetime import UTC, datetime

from app.follow_up_text import (
    KIND_LABELS,
    clash_message,
    detail_lines,
    done_line,
    holder_line,
    money,
    portal_path,
    when,
)
from tests.app.follow_up_items import item


def ten_oh_two() -> datetime:
    """10:02 today, local time, as the test runs (a run may cross midnight)."""
    return datetime.now(UTC).astimezone().replace(hour=10, minute=2).astimezone(UTC)


def test_money_and_when():
    assert money(124000, "USD") == "$1,240.00"
    assert money(-500, "eur") == "-€5.00"
    assert money(100, "CHF") == "1.00 CHF"
    assert money(None, "USD") == "—"
    assert when(ten_oh_two()) == "10:02"
    assert when("2020-03-03T10:02:00+00:00").endswith(
        "2020 " + when("2020-03-03T10:02:00+00:00")[-5:]
    )
    assert when(None) == "—"


def test_clash_says_who_took_it_and_when():
    current = item(1, assignee_id=9, assignee_name="Sam Carter", assigned_at=ten_oh_two())
    assert clash_message(current, "Conflict.", me_id=3).startswith("Sam Carter took this at 10:02.")
    done = item(
        1, state="done", done_by_name="Sam Carter", done_at=ten_oh_two(), done_note="Called"
    )
    assert clash_message(done, "x", 3).startswith("Done by Sam Carter at 10:02: Called.")
    assert clash_message(item(1), "Changed since.", 3) == (
        "Changed since. It now shows as it is on the server."
    )


def test_done_and_holder_lines():
    assert done_line(item(1)) == ""
    assert holder_line(item(1)) == "Nobody has taken this yet."
    mine = item(1, assignee_id=3, assignee_name="Me", assigned_at=ten_oh_two())
    assert holder_line(mine, 3) == "You took this at 10:02."
    assert holder_line(mine, 4) == "Me has had this since 10:02."


def test_each_kind_has_its_lines():
    approved = item(
        1,
        details={
            "quote_number": "Q-1",
            "typed_name": "Hannah Okafor",
            "amount_cents": 124000,
            "currency": "USD",
        },
    )
    assert ("Approved by (typed name)", "Hannah Okafor") in detail_lines(approved)
    assert ("Amount", "$1,240.00") in detail_lines(approved)
    declined = item(2, "quote_declined", details={"reason": "Too dear"})
    assert ("Reason given", "Too dear") in detail_lines(declined)
    paid = item(
        3,
        "invoice_paid",
        details={
            "amount_cents": 5000,
            "currency": "USD",
            "method": "card",
            "receipt_number": "R-9",
        },
    )
    assert {("Method", "Card"), ("Receipt", "R-9")} <= set(detail_lines(paid))
    request = item(
        4,
        "service_request",
        request_status="needs_info",
        details={
            "description": "Leak",
            "preferred_times": "Mornings",
            "address": "1 Main St",
            "photo_ids": [1, 2],
            "question": "Where?",
        },
    )
    lines = dict(detail_lines(request))
    assert lines["Where it stands"] == "Waiting for the customer's answer"
    assert lines["Photos"].startswith("2 ") and lines["We asked"] == "Where?"
    trouble = item(5, "sign_in_trouble", details={"trouble": "locked", "email": "a@b.c"})
    assert ("What happened", "Account locked after too many wrong passwords") in detail_lines(
        trouble
    )
    mail = item(6, "mail_failed", details={"to_address": "x@y.z", "error": "550 no such user"})
    assert ("Error", "550 no such user") in detail_lines(mail)
    refund = item(7, "refund_needed", details={"reason": "Invoice already paid"})
    assert ("Why a refund", "Invoice already paid") in detail_lines(refund)
    assert "payment provider" in dict(detail_lines(refund))["What to do"]
    assert len(KIND_LABELS) == 7


def test_portal_path_prefers_what_the_customer_saw():
    assert portal_path(item(1, quote_id=5, job_id=2)) == "/quotes/5"
    assert portal_path(item(1, invoice_id=4, payment_id=8)) == "/receipts/8"
    assert portal_path(item(1, service_request_id=3, job_id=2)) == "/requests/3"
    assert portal_path(item(1)) is None
    assert portal_path(item(1, quote_id=5, customer_deleted=True)) is None
