"""Stripe Checkout: hosted card page, session look-up, and signed webhooks."""

from __future__ import annotations

from typing import Any

import stripe

from server.payments.base import (
    CheckoutRequest,
    CheckoutStart,
    CheckoutState,
    InvalidWebhook,
    ProviderUnavailable,
    WebhookEvent,
)

# Events after which a Checkout Session may be paid; "paid" is read from the session itself.
PAID_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
UNREACHABLE = "The card processor could not be reached. No money was taken; try again shortly."


class StripeCheckout:
    """Payments through Stripe Checkout, with keys from the server settings."""

    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str | None, api_base: str | None) -> None:
        base: Any = {"api": api_base} if api_base else None
        self._client = stripe.StripeClient(secret_key, base_addresses=base, max_network_retries=1)
        self._webhook_secret = webhook_secret
        self.test_mode = secret_key.startswith("sk_test_")

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        """Create a Checkout Session for the amount owed and return its hosted page."""
        params: Any = {  # a TypedDict in the stubs; built as a plain dict here
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.token,
            "metadata": request.metadata,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            # The idempotency key makes a retried create return the same session.
            session = self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{request.token}"}
            )
        except stripe.StripeError as exc:
            raise ProviderUnavailable(UNREACHABLE) from exc
        if not session.url:
            raise ProviderUnavailable(UNREACHABLE)
        return CheckoutStart(session.url, session.id)

    def expire_checkout(self, provider_session_id: str) -> bool:
        """Expire a Checkout Session; Stripe refuses one that is no longer open, and then
        the session itself says whether it was paid."""
        try:
            self._client.v1.checkout.sessions.expire(provider_session_id)
        except stripe.InvalidRequestError:
            return not self.checkout_state(provider_session_id).paid
        except stripe.StripeError as exc:
            raise ProviderUnavailable(UNREACHABLE) from exc
        return True

    def checkout_state(self, provider_session_id: str) -> CheckoutState:
        """Whether Stripe says the session was paid (used on the success page)."""
        try:
            session = self._client.v1.checkout.sessions.retrieve(provider_session_id)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(UNREACHABLE) from exc
        return CheckoutState(session.payment_status == "paid", session.amount_total, session.id)

    def verify_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """Verify the ``Stripe-Signature`` header and reduce the event to what we act on."""
        if not self._webhook_secret:
            raise InvalidWebhook("No webhook signing secret is configured.")
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook("The webhook signature is not valid.") from exc
        except ValueError as exc:
            raise InvalidWebhook("The webhook body is not valid JSON.") from exc
        body = event.to_dict()
        try:
            event_id, event_type = str(body["id"]), str(body["type"])
            obj = body["data"]["object"]
            if not isinstance(obj, dict):
                raise TypeError("data.object is not an object")
        except (KeyError, TypeError) as exc:
            raise InvalidWebhook("The webhook body is not a Stripe event.") from exc
        if event_type not in PAID_EVENTS:
            return WebhookEvent(event_id, event_type)
        session_id = obj.get("id")
        if not isinstance(session_id, str):
            raise InvalidWebhook("The event does not name a Checkout Session.")
        amount = obj.get("amount_total")
        currency = obj.get("currency")
        return WebhookEvent(
            event_id,
            event_type,
            session_id=session_id,
            paid=obj.get("payment_status") == "paid",
            amount_cents=amount if isinstance(amount, int) else None,
            currency=currency.upper() if isinstance(currency, str) else None,
        )
