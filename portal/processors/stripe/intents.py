"""Reading Stripe's PaymentIntent, PaymentMethod and Refund objects.

Everything here takes plain dicts (``StripeObject.to_dict()`` or the JSON of
a webhook event), so API responses and events go through the same code. Both
the current API shape and the 2017 shape that localstripe answers in are
read: a ``latest_charge`` may be an id or an embedded charge, and a
``payment_method`` an id or an expanded object.
"""

from portal.models import PaymentStatus
from portal.models.refunds import RefundStatus
from portal.processors.base import IntentResult, RefundResult

# Stripe's PaymentMethod types, by the kind of payment they make here.
METHOD_KINDS = {
    "card": "card",
    "sepa_debit": "bank_debit",
    "us_bank_account": "bank_debit",
}
# The bank debit each currency is paid by, when a link allows bank debits.
BANK_DEBIT_TYPES = {"EUR": "sepa_debit", "USD": "us_bank_account"}

STATUSES = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "processing": PaymentStatus.PROCESSING,
    # Captured automatically here, so an authorised charge is still on its way.
    "requires_capture": PaymentStatus.PROCESSING,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    # NOTE: an intent is confirmed when it is created, so Stripe reports this
    # only for one created elsewhere; it still waits for its buyer.
    "requires_confirmation": PaymentStatus.REQUIRES_ACTION,
    "requires_payment_method": PaymentStatus.REQUIRES_PAYMENT_METHOD,
    "canceled": PaymentStatus.CANCELED,
}

# Stripe's decline codes that have a message of their own here. Any other
# card decline, lost and stolen cards included, reads as "card declined".
CARD_ERROR_CODES = {
    "insufficient_funds",
    "expired_card",
    "incorrect_cvc",
    "processing_error",
    "authentication_required",
}


def payment_method_types(currency: str, allow_bank_debit: bool) -> list[str]:
    """Return the PaymentMethod types a checkout in ``currency`` offers."""
    types = ["card"]
    bank_debit = BANK_DEBIT_TYPES.get(currency.upper())
    if allow_bank_debit and bank_debit:
        types.append(bank_debit)
    return types


def intent_status(intent: dict) -> PaymentStatus:
    """Map a PaymentIntent's status to ours.

    An off-session charge that needs the customer's authentication comes back
    as ``requires_payment_method`` with ``authentication_required``; here it
    is ``requires_action``, as the customer can still complete it.
    """
    status = STATUSES.get(
        str(intent.get("status")), PaymentStatus.REQUIRES_PAYMENT_METHOD
    )
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        error = intent.get("last_payment_error") or {}
        if error.get("code") == "authentication_required":
            return PaymentStatus.REQUIRES_ACTION
    return status


def error_code(error: dict | None, kind: str) -> str | None:
    """Return our code for a ``last_payment_error`` or a card error's body."""
    if not error:
        return None
    code = error.get("code")
    decline_code = error.get("decline_code")
    if code == "payment_intent_authentication_failure":
        return "authentication_failed"
    if kind == "bank_debit":
        return "debit_failed"
    for candidate in (decline_code, code):
        if candidate in CARD_ERROR_CODES:
            return candidate
    return "card_declined"


def method_details(
    payment_method: dict | str | None,
) -> tuple[str | None, str | None, str | None]:
    """Return (kind, card brand, last four digits) of an expanded PaymentMethod."""
    if not isinstance(payment_method, dict):
        return None, None, None
    stripe_type = payment_method.get("type")
    kind = METHOD_KINDS.get(str(stripe_type))
    details = payment_method.get(stripe_type) or {}
    brand = details.get("brand") if kind == "card" else None
    return kind, brand, details.get("last4")


def to_intent_result(intent: dict, *, kind: str | None = None) -> IntentResult:
    """Build our result from a PaymentIntent.

    ``kind`` is the payment method's kind when ``payment_method`` is not
    expanded; without either it is "card".
    """
    found_kind, brand, last4 = method_details(intent.get("payment_method"))
    kind = found_kind or kind or "card"
    status = intent_status(intent)
    code = None
    if status in (PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION):
        code = error_code(intent.get("last_payment_error"), kind)
    return IntentResult(
        id=intent["id"],
        status=status,
        amount=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        method=kind,
        card_brand=brand,
        last4=last4,
        error_code=code,
        payment_method_id=_saved_method_id(intent),
    )


def _saved_method_id(intent: dict) -> str | None:
    """Return the PaymentMethod the intent saves for later charges, if it saves one."""
    if intent.get("setup_future_usage") != "off_session":
        return None
    return intent_payment_method_id(intent)


def intent_payment_method_id(intent: dict) -> str | None:
    """Return the PaymentMethod an intent was paid, or last tried to be paid, with."""
    method = intent.get("payment_method")
    if isinstance(method, dict):
        return method.get("id")
    if isinstance(method, str):
        return method
    error_method = (intent.get("last_payment_error") or {}).get("payment_method")
    if isinstance(error_method, dict):
        return error_method.get("id")
    return None


REFUND_STATUSES = {
    "pending": RefundStatus.PENDING,
    # Stripe needs the customer's bank details for some refunds, so the money
    # has not gone back yet.
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}

REFUND_FAILURES = {
    "lost_or_stolen_card": "The card was reported lost or stolen, so the refund "
    "could not reach it. Refund the buyer another way, such as a bank transfer.",
    "expired_or_canceled_card": "The card has expired or was canceled, so the "
    "refund could not reach it. Refund the buyer another way, such as a bank "
    "transfer.",
}
REFUND_FAILED = (
    "Stripe could not send the refund back to the buyer. Refund the buyer another "
    "way, such as a bank transfer."
)


def to_refund_result(refund: dict) -> RefundResult:
    status = REFUND_STATUSES.get(str(refund.get("status")), RefundStatus.PENDING)
    message = None
    if status in (RefundStatus.FAILED, RefundStatus.CANCELED):
        message = REFUND_FAILURES.get(str(refund.get("failure_reason")), REFUND_FAILED)
    return RefundResult(
        id=refund["id"],
        status=status,
        amount=int(refund["amount"]),
        currency=str(refund["currency"]).upper(),
        failure_message=message,
    )


def refund_intent_id(refund: dict) -> str | None:
    """Return the PaymentIntent a Refund belongs to, when the object names it."""
    intent = refund.get("payment_intent")
    if isinstance(intent, dict):
        return intent.get("id")
    return intent if isinstance(intent, str) else None
