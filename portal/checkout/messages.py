"""Buyer-facing messages for processor error codes, in the buyer's language."""

from flask_babel import gettext as _


def payment_error_message(code: str | None, fallback: str | None = None) -> str:
    """Return the message for a processor error code, such as ``card_declined``."""
    messages = {
        "card_declined": _("Your card was declined. Try another card."),
        "insufficient_funds": _("Your card has insufficient funds. Try another card."),
        "expired_card": _(
            "Your card has expired. Check the expiry date or use another card."
        ),
        "incorrect_cvc": _(
            "The security code (CVC) is incorrect. Check it and try again."
        ),
        "processing_error": _(
            "An error occurred while processing your card. Try again in a moment."
        ),
        "authentication_failed": _(
            "We could not authenticate your payment. Try again or use another card."
        ),
        "debit_failed": _("The bank debit failed. Pay with a card or another account."),
        "invalid_number": _(
            "This is test mode: use a test card such as 4242 4242 4242 4242."
        ),
        "invalid_bank_account": _(
            "This is test mode: use routing number 110000000 and account number "
            "000123456789."
        ),
        "routing_number_invalid": _("This is test mode: use routing number 110000000."),
        "processor_unavailable": _(
            "The payment service is unavailable. Nothing was charged; try again "
            "in a moment."
        ),
        "payment_method_missing": _("Enter your payment details again."),
        "card_required": _(
            "Pay with a card: a bank account can be saved only with a payment."
        ),
        "payment_method_not_allowed": _(
            "This payment method is not accepted here. Choose another one."
        ),
        "idempotency_error": _(
            "An earlier attempt of this payment may have gone through. Check your "
            "email for a receipt before you pay again."
        ),
    }
    return messages.get(code or "", fallback or _("The payment failed."))


# The form field that a processor error code is about, when not the number.
ERROR_FIELDS = {
    "incorrect_cvc": "card_cvc",
    "expired_card": "card_expiry",
    "routing_number_invalid": "routing_number",
}


def payment_error_field(
    code: str | None, *, bank_debit: bool, in_browser: bool = False
) -> str:
    """Return the form field to show a processor's error under.

    With ``in_browser`` the details were typed into the processor's own
    element, such as Stripe's Payment Element, so every error goes there.
    """
    if in_browser:
        return "payment_method"
    default = "account_number" if bank_debit else "card_number"
    return ERROR_FIELDS.get(code or "", default)
