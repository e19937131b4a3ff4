"""The payment provider interface: what the portal needs from any card processor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused the request; nothing was charged."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body cannot be trusted."""


@dataclass(frozen=True)
class CheckoutRequest:
    """What to charge, and where to send the customer afterwards."""

    token: str
    amount_cents: int
    currency: str
    description: str
    customer_email: str | None
    checkout_page_url: str
    success_url: str
    cancel_url: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutStart:
    """Where to send the customer to enter their card, and the provider's id for it."""

    redirect_url: str
    provider_session_id: str | None


@dataclass(frozen=True)
class CheckoutState:
    """What the provider says about a checkout: paid or not, and how much."""

    paid: bool
    amount_cents: int | None
    provider_ref: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event, reduced to what the portal acts on."""

    id: str
    type: str
    session_id: str | None = None
    paid: bool = False
    amount_cents: int | None = None
    currency: str | None = None


class PaymentProvider(Protocol):
    """A card processor behind the portal's pay button."""

    name: str
    test_mode: bool

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        """Create the provider's checkout; raises ProviderUnavailable."""
        ...

    def expire_checkout(self, provider_session_id: str) -> bool:
        """Close an open checkout so it can no longer be paid: True when it is closed now (or
        already was), False when it was paid first; raises ProviderUnavailable."""
        ...

    def checkout_state(self, provider_session_id: str) -> CheckoutState:
        """Ask the provider whether a checkout was paid; raises ProviderUnavailable."""
        ...

    def verify_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """Check a webhook's signature and parse it; raises InvalidWebhook."""
        ...
