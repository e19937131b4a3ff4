"""Payment providers: the sandbox (test mode, the default) and Stripe Checkout."""

from __future__ import annotations

from server.db.models import Workspace
from server.payments.base import PaymentProvider
from server.payments.sandbox import SandboxProvider
from server.payments.stripe_checkout import StripeCheckout
from server.settings import Settings


class PaymentsNotConfigured(Exception):
    """Stripe was chosen but the server has no Stripe key."""


def provider_named(name: str, settings: Settings) -> PaymentProvider:
    """The provider with this name, configured from the settings."""
    if name == "stripe":
        if not settings.stripe_secret_key:
            raise PaymentsNotConfigured("Stripe is chosen but no Stripe secret key is set.")
        return StripeCheckout(
            settings.stripe_secret_key, settings.stripe_webhook_secret, settings.stripe_api_base
        )
    return SandboxProvider()


def provider_for(workspace: Workspace, settings: Settings) -> PaymentProvider:
    """The provider a workspace takes payments with: Stripe when the server or the workspace
    chose it, else the sandbox."""
    chosen = "stripe" if "stripe" in (settings.payment_provider, workspace.payment_provider) else ""
    return provider_named(chosen or "sandbox", settings)
