"""The payment-processor interface.

States follow Stripe's PaymentIntent lifecycle so that the test-mode
processor and Stripe can be swapped by configuration. Amounts are integers in
the currency's minor units; zero-decimal currencies are sent as they are.
"""

from dataclasses import dataclass
from typing import Protocol

from portal.models import PaymentStatus
from portal.models.refunds import RefundStatus

# Stripe's upper limit for one charge, in minor units (eight digits).
MAX_AMOUNT = 99_999_999


class PaymentError(Exception):
    """A payment that could not be made, with a message safe to show the buyer."""

    def __init__(self, message: str, code: str = "payment_failed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidPaymentDetails(PaymentError):
    """Card or bank details the processor rejects before any charge is tried."""


class ProcessorUnavailable(PaymentError):
    """The processor could not be reached; nothing was charged."""


class RefundError(PaymentError):
    """A refund the processor rejects, such as one above the unrefunded amount.

    Nothing was refunded. Codes follow Stripe's: ``amount_too_large``,
    ``charge_already_refunded``, ``payment_intent_unexpected_state``,
    ``resource_missing`` and ``idempotency_error``.
    """


@dataclass(frozen=True, slots=True)
class CardDetails:
    number: str  # digits only; never logged or stored
    exp_month: int
    exp_year: int  # four digits
    cvc: str

    def __repr__(self) -> str:
        return f"CardDetails(last4={self.number[-4:]!r})"


@dataclass(frozen=True, slots=True)
class BankDetails:
    routing_number: str
    account_number: str  # never logged or stored
    holder_name: str

    def __repr__(self) -> str:
        return f"BankDetails(last4={self.account_number[-4:]!r})"


@dataclass(frozen=True, slots=True)
class PaymentMethodReference:
    """A payment method that the processor's own script created in the browser.

    Stripe's Payment Element sends card and bank details straight to Stripe
    and hands the page only the PaymentMethod's id, so the server confirms the
    payment with that id and never receives the details.
    """

    id: str  # pm_...
    # Kinds of payment method the checkout takes: "card", "bank_debit".
    allowed_kinds: frozenset[str] = frozenset({"card"})
    # The buyer's address and browser, for the mandate a bank debit needs.
    client_address: str | None = None
    user_agent: str | None = None


PaymentDetails = CardDetails | BankDetails | PaymentMethodReference


@dataclass(frozen=True, slots=True)
class IntentResult:
    id: str
    status: PaymentStatus
    amount: int
    currency: str
    method: str  # "card" or "bank_debit"
    card_brand: str | None = None
    last4: str | None = None
    # Set when status is requires_payment_method after a failed attempt.
    error_code: str | None = None
    error_message: str | None = None
    # The payment method saved for later charges, when the payment saved one.
    payment_method_id: str | None = None


@dataclass(frozen=True, slots=True)
class SavedMethodDetails:
    """A payment method as saved for later charges: what it is, never its number."""

    id: str
    kind: str  # "card" or "bank_debit"
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    status: RefundStatus
    amount: int  # minor units
    currency: str
    # Set when status is failed or canceled; safe to show to staff.
    failure_message: str | None = None


class Processor(Protocol):
    name: str

    @property
    def live_mode(self) -> bool:
        """True when payments move real money."""
        ...

    def create_payment(
        self,
        *,
        amount: int,
        currency: str,
        details: PaymentDetails,
        idempotency_key: str,
        description: str,
        customer: str | None = None,
        save_method: bool = False,
    ) -> IntentResult:
        """Create and confirm a payment; the result may need action or settle later.

        With ``save_method`` the payment method is saved to ``customer`` for
        off-session charges, which the buyer must have agreed to, and the
        result names it in ``payment_method_id``.
        """
        ...

    def create_customer(
        self, *, email: str, name: str | None, idempotency_key: str
    ) -> str:
        """Create the customer that saved payment methods belong to; return its id."""
        ...

    def charge_saved_method(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
    ) -> IntentResult:
        """Charge a saved method while the customer is away.

        A charge that needs the customer's authentication comes back as
        ``requires_action``.
        """
        ...

    def saved_method_details(self, payment_method_id: str) -> SavedMethodDetails: ...

    def complete_action(self, intent_id: str, *, approved: bool) -> IntentResult:
        """Finish the customer authentication step of a requires_action intent."""
        ...

    def retrieve(self, intent_id: str) -> IntentResult: ...

    def reverse_payment(self, intent_id: str) -> IntentResult:
        """Cancel a payment, refunding it in full if it was already captured."""
        ...

    def refund(
        self,
        intent_id: str,
        *,
        amount: int,
        idempotency_key: str,
        reason: str | None,
    ) -> RefundResult:
        """Refund ``amount`` minor units of a succeeded payment.

        ``reason`` is one of Stripe's refund reasons (``duplicate``,
        ``fraudulent``, ``requested_by_customer``) or None. A repeated
        ``idempotency_key`` returns the first refund and refunds nothing more.
        Raises ``RefundError`` when the payment has not succeeded or the amount
        is above what is left to refund.
        """
        ...
