"""Stripe as the payment processor (``KASSA_PROCESSOR=stripe``)."""

from portal.processors.stripe.adapter import StripeProcessor
from portal.processors.stripe.settings import (
    StripeConfigError,
    StripeSettings,
    read_settings,
)

__all__ = ["StripeConfigError", "StripeProcessor", "StripeSettings", "read_settings"]
