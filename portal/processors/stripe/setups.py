"""Reading Stripe's SetupIntents as the payments they stand in for.

A checkout that charges nothing today, such as a subscription's trial, saves
the buyer's card with a SetupIntent and records a payment of zero. While the
bank requires the buyer to authenticate the card, that payment waits in
``requires_action`` with the SetupIntent's id as its processor reference.
The adapter therefore reads ``seti_`` ids with the functions here wherever
it reads a PaymentIntent.
"""

from portal.models import PaymentStatus
from portal.processors.base import IntentResult
from portal.processors.stripe.intents import error_code

SETUP_INTENT_PREFIX = "seti_"

STATUSES = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "processing": PaymentStatus.PROCESSING,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_payment_method": PaymentStatus.REQUIRES_PAYMENT_METHOD,
    # Nothing was saved, and the buyer may try again with the same or
    # another card, so a canceled SetupIntent reads as a failed attempt.
    "canceled": PaymentStatus.REQUIRES_PAYMENT_METHOD,
}


def is_setup_intent(intent_id: str) -> bool:
    return intent_id.startswith(SETUP_INTENT_PREFIX)


def setup_to_intent_result(setup: dict) -> IntentResult:
    """Build the zero-amount result of a SetupIntent that saves a card.

    A SetupIntent has no currency, so the one it was created for is read
    from its ``kassa_currency`` metadata.
    """
    status = STATUSES.get(str(setup.get("status")), PaymentStatus.REQUIRES_ACTION)
    code = None
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        code = setup_error_code(setup)
    metadata = setup.get("metadata") or {}
    return IntentResult(
        id=setup["id"],
        status=status,
        amount=0,
        currency=str(metadata.get("kassa_currency", "")).upper(),
        method="card",
        error_code=code,
        payment_method_id=setup_payment_method_id(setup),
    )


def setup_error_code(setup: dict) -> str:
    """Return our code for a SetupIntent that saved nothing.

    Stripe reports a failed check as ``setup_intent_authentication_failure``
    in ``last_setup_error``. localstripe's Stripe.js cancels the SetupIntent
    instead, with no error, so a canceled one reads as a failed check too.
    """
    error = setup.get("last_setup_error") or {}
    if not error or error.get("code") == "setup_intent_authentication_failure":
        return "authentication_failed"
    return error_code(error, "card") or "card_declined"


def setup_payment_method_id(setup: dict) -> str | None:
    method = setup.get("payment_method")
    if isinstance(method, dict):
        return method.get("id")
    return method if isinstance(method, str) else None
