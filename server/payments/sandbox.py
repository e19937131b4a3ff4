"""The sandbox provider: test mode with documented card numbers, no money ever moves.

It is the embedded default, so a new workspace can try the whole pay flow at once. The
checkout page is the portal's own (``/p/{slug}/checkout/{token}``), clearly marked TEST MODE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from server.payments.base import (
    CheckoutRequest,
    CheckoutStart,
    CheckoutState,
    InvalidWebhook,
    WebhookEvent,
)


@dataclass(frozen=True)
class TestCard:
    """A documented test card number and what it does."""

    __test__ = False

    number: str
    brand: str
    outcome: str  # "succeeds" or a decline reason shown to the customer
    description: str

    @property
    def approved(self) -> bool:
        """Whether paying with this card succeeds."""
        return self.outcome == "succeeds"

    @property
    def spaced(self) -> str:
        """The number in groups of four, as printed on a card."""
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4242424242424242", "Visa", "succeeds", "Payment succeeds."),
    TestCard("5555555555554444", "Mastercard", "succeeds", "Payment succeeds."),
    TestCard(
        "4000000000000002",
        "Visa",
        "Your card was declined. No money was taken.",
        "Declined by the card issuer.",
    ),
    TestCard(
        "4000000000009995",
        "Visa",
        "Your card has insufficient funds. No money was taken.",
        "Declined: insufficient funds.",
    ),
)
_BY_NUMBER = {c.number: c for c in TEST_CARDS}


@dataclass(frozen=True)
class CardResult:
    """The sandbox's answer to a card: approved, or a plain-English reason per field."""

    approved: bool
    message: str | None = None
    field: str | None = None
    last4: str | None = None
    brand: str | None = None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _expiry_problem(expiry: str, today: date) -> str | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry)
    if not m:
        return "Enter the expiry date as MM/YY, for example 12/30."
    month, year = int(m.group(1)), int(m.group(2))
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        return "The expiry month must be between 01 and 12."
    if (year, month) < (today.year, today.month):
        return "This card has expired. Use a date in the future."
    return None


def charge_test_card(number: str, expiry: str, cvc: str, *, today: date) -> CardResult:
    """Decide what happens to a sandbox card, as a real processor would answer."""
    digits = re.sub(r"[\s-]", "", number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not _luhn_ok(digits):
        return CardResult(False, "That card number is not valid. Check the digits.", "number")
    problem = _expiry_problem(expiry, today)
    if problem:
        return CardResult(False, problem, "expiry")
    if not re.fullmatch(r"\d{3,4}", cvc.strip()):
        return CardResult(False, "The security code is the 3 or 4 digits on the card.", "cvc")
    card = _BY_NUMBER.get(digits)
    if card is None:
        return CardResult(
            False,
            "This is test mode: use one of the test card numbers listed on this page.",
            "number",
        )
    if not card.approved:
        return CardResult(False, card.outcome, "number", digits[-4:], card.brand)
    return CardResult(True, None, None, digits[-4:], card.brand)


class SandboxProvider:
    """Test-mode payments handled by the portal itself."""

    name = "sandbox"
    test_mode = True

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        """The sandbox checkout is the portal's own test-mode card page."""
        return CheckoutStart(request.checkout_page_url, f"sbx_{request.token}")

    def expire_checkout(self, provider_session_id: str) -> bool:
        """The card page is the portal's own and refuses a checkout no longer open."""
        return True

    def checkout_state(self, provider_session_id: str) -> CheckoutState:
        """The sandbox records payments as they happen; there is nothing to look up."""
        return CheckoutState(False, None, provider_session_id)

    def verify_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """The sandbox never sends webhooks, so none can be trusted."""
        raise InvalidWebhook("The sandbox payment provider does not send webhooks.")
