"""The columns of a new ``Payment`` that come from the processor's intent."""

from typing import TypedDict

from portal.models import PaymentMethodKind, PaymentStatus
from portal.processors.base import IntentResult


class MethodFields(TypedDict):
    method: PaymentMethodKind
    card_brand: str | None
    card_last4: str | None
    bank_last4: str | None


def method_fields(intent: IntentResult) -> MethodFields:
    """Return how ``intent`` was paid, as keyword arguments of ``Payment``.

    The last four digits go to ``card_last4`` or ``bank_last4`` by the kind
    of method, and to neither for a payment with no method.
    """
    method = PaymentMethodKind(intent.method)
    return MethodFields(
        method=method,
        card_brand=intent.card_brand,
        card_last4=intent.last4 if method is PaymentMethodKind.CARD else None,
        bank_last4=intent.last4 if method is PaymentMethodKind.BANK_DEBIT else None,
    )


def no_charge_intent(currency: str) -> IntentResult:
    """Return the stand-in intent of a payment of zero, which no processor saw."""
    return IntentResult(
        id="",
        status=PaymentStatus.SUCCEEDED,
        amount=0,
        currency=currency,
        method=PaymentMethodKind.NONE.value,
    )
