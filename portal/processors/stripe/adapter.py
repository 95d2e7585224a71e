"""Stripe as the payment processor, behind the same interface as test mode.

Card and bank details never reach this server: Stripe's Payment Element
creates a PaymentMethod in the buyer's browser, and the checkout passes its
id here in a ``PaymentMethodReference``. PaymentIntents are created and
confirmed in one call with the checkout's idempotency key and the amount in
the currency's minor units, zero-decimal currencies as they are (JPY 80 is
80). Authentication runs in the browser with Stripe.js; ``complete_action``
then reads the outcome back.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

import stripe

from portal.models import PaymentStatus
from portal.processors.base import (
    IntentResult,
    InvalidPaymentDetails,
    PaymentDetails,
    PaymentError,
    PaymentMethodReference,
    RefundError,
    RefundResult,
    SavedMethodDetails,
)
from portal.processors.stripe.client import (
    error_body,
    make_client,
    unavailable_on_failure,
)
from portal.processors.stripe.intents import (
    METHOD_KINDS,
    error_code,
    intent_payment_method_id,
    to_intent_result,
    to_refund_result,
)
from portal.processors.stripe.settings import StripeSettings
from portal.processors.stripe.setups import is_setup_intent, setup_to_intent_result

logger = logging.getLogger(__name__)

# Statuses in which Stripe cancels a PaymentIntent rather than refunding it.
CANCELABLE = {
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
}
# SetupIntent statuses in which the browser can still confirm it with a card.
OPEN_SETUP_STATUSES = {"requires_payment_method", "requires_confirmation"}
REFUND_ERROR_MESSAGES = {
    "amount_too_large": "The refund is larger than what is left to refund.",
    "charge_already_refunded": "The payment has already been refunded in full.",
    "payment_intent_unexpected_state": "Only a succeeded payment can be refunded.",
    "resource_missing": "Stripe does not know this payment.",
}


@dataclass(frozen=True, slots=True)
class SetupResult:
    """A SetupIntent: saving a payment method without charging it."""

    id: str
    status: str  # Stripe's SetupIntent status, such as "succeeded"
    client_secret: str
    payment_method_id: str | None
    customer: str | None = None  # the Stripe customer the method is saved to

    def __repr__(self) -> str:
        return f"SetupResult(id={self.id!r}, status={self.status!r})"


@dataclass(frozen=True, slots=True)
class AuthenticationStep:
    """What the buyer's browser needs to authenticate a payment with Stripe.js.

    With ``payment_method_id`` set, the browser confirms the intent again with
    that saved method. That is the case after Stripe declined an off-session
    charge because it needs authentication. Otherwise the browser handles the
    intent's next action.
    """

    client_secret: str
    payment_method_id: str | None

    def __repr__(self) -> str:
        return f"AuthenticationStep(payment_method_id={self.payment_method_id!r})"


class StripeProcessor:
    name = "stripe"

    def __init__(self, settings: StripeSettings) -> None:
        self.settings = settings
        self.client = make_client(settings)

    @property
    def live_mode(self) -> bool:
        return self.settings.live_mode

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
        """Create and confirm a PaymentIntent with a PaymentMethod made in the browser.

        With ``save_method`` the method is saved to ``customer`` for
        off-session charges, which the buyer must have agreed to.
        """
        if not isinstance(details, PaymentMethodReference):
            # Raw card numbers must never be sent from this server.
            raise InvalidPaymentDetails(
                "Enter your payment details again.", code="payment_method_missing"
            )
        method = self._payment_method(details.id)
        kind = METHOD_KINDS.get(method["type"])
        if kind is None or kind not in details.allowed_kinds:
            raise InvalidPaymentDetails(
                "This payment method is not accepted here. Choose another one.",
                code="payment_method_not_allowed",
            )
        params: dict = {
            "amount": amount,
            "currency": currency.lower(),
            "payment_method": details.id,
            "payment_method_types": [method["type"]],
            "confirm": True,
            "description": description,
            "metadata": {"kassa_idempotency_key": idempotency_key},
            "expand": ["payment_method"],
        }
        if kind == "bank_debit":
            params["mandate_data"] = _online_mandate(details)
        if save_method:
            params["customer"] = customer
            params["setup_future_usage"] = "off_session"
        return self._confirm(params, idempotency_key, kind)

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
        ``requires_action``; email them a link to complete it.
        """
        method = self._payment_method(payment_method)
        params = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer,
            "payment_method": payment_method,
            "payment_method_types": [method["type"]],
            "off_session": True,
            "confirm": True,
            "description": description,
            "metadata": {"kassa_idempotency_key": idempotency_key},
            "expand": ["payment_method"],
        }
        return self._confirm(
            params, idempotency_key, METHOD_KINDS.get(method["type"], "card")
        )

    def complete_action(self, intent_id: str, *, approved: bool) -> IntentResult:
        """Read back an intent after the buyer authenticated it with Stripe.js.

        Stripe decides the outcome, so ``approved`` is not used. It serves the
        test-mode processor, whose authentication page lets the buyer choose.
        """
        return self.retrieve(intent_id)

    def retrieve(self, intent_id: str) -> IntentResult:
        """Read a PaymentIntent, or the SetupIntent of a checkout charging nothing."""
        if is_setup_intent(intent_id):
            return self._retrieve_setup(intent_id)
        with unavailable_on_failure("retrieve a payment"):
            try:
                intent = self.client.v1.payment_intents.retrieve(
                    intent_id, {"expand": ["payment_method"]}
                )
            except stripe.InvalidRequestError as error:
                raise PaymentError(
                    "Unknown payment.", code="resource_missing"
                ) from error
        return to_intent_result(intent.to_dict())

    def authentication_step(self, intent_id: str) -> AuthenticationStep:
        """Return what Stripe.js needs to authenticate the intent in the browser."""
        if is_setup_intent(intent_id):
            setup = self.retrieve_setup_intent(intent_id)
            return AuthenticationStep(
                client_secret=setup.client_secret, payment_method_id=None
            )
        with unavailable_on_failure("retrieve a payment"):
            intent = self.client.v1.payment_intents.retrieve(intent_id).to_dict()
        method = None
        if intent.get("status") == "requires_payment_method":
            method = intent_payment_method_id(intent)
        return AuthenticationStep(
            client_secret=intent["client_secret"], payment_method_id=method
        )

    def reverse_payment(self, intent_id: str) -> IntentResult:
        """Cancel an intent that took no money yet, or refund a succeeded one."""
        if is_setup_intent(intent_id):
            return self._cancel_setup(intent_id)
        with unavailable_on_failure("reverse a payment"):
            intent = self.client.v1.payment_intents.retrieve(intent_id).to_dict()
            if intent["status"] in CANCELABLE:
                intent = self.client.v1.payment_intents.cancel(intent_id).to_dict()
            elif intent["status"] == "succeeded":
                self.client.v1.refunds.create(
                    {"payment_intent": intent_id},
                    {"idempotency_key": f"reverse-{intent_id}"},
                )
                logger.info(
                    "refunded payment intent %s in full to reverse it", intent_id
                )
                return replace(to_intent_result(intent), status=PaymentStatus.CANCELED)
            else:
                # A processing bank debit can be neither canceled nor refunded yet.
                raise PaymentError(
                    "The payment cannot be reversed now.", code="reverse_failed"
                )
        return to_intent_result(intent)

    def refund(
        self,
        intent_id: str,
        *,
        amount: int,
        idempotency_key: str,
        reason: str | None,
    ) -> RefundResult:
        params: dict = {
            "payment_intent": intent_id,
            "amount": amount,
            "metadata": {"kassa_idempotency_key": idempotency_key},
        }
        if reason:
            params["reason"] = reason
        with unavailable_on_failure("refund a payment"):
            try:
                refund = self.client.v1.refunds.create(
                    params, {"idempotency_key": idempotency_key}
                )
            except stripe.InvalidRequestError as error:
                code = error.code or error_body(error).get("code") or "refund_failed"
                logger.info("Stripe rejected a refund of %s: %s", intent_id, code)
                raise RefundError(
                    REFUND_ERROR_MESSAGES.get(code, "Stripe refused the refund."),
                    code=code,
                ) from error
        result = to_refund_result(refund.to_dict())
        logger.info(
            "Stripe refund %s of %s is %s", result.id, intent_id, result.status.value
        )
        return result

    def intent_of_charge(self, charge_id: str) -> str | None:
        """Return the PaymentIntent of a charge, for objects that name only that."""
        with unavailable_on_failure("retrieve a charge"):
            charge = self.client.v1.charges.retrieve(charge_id).to_dict()
        intent = charge.get("payment_intent")
        return intent.get("id") if isinstance(intent, dict) else intent

    def list_refunds(self, intent_id: str) -> list[dict]:
        """Return the Refund objects of a PaymentIntent, newest first."""
        with unavailable_on_failure("list refunds"):
            refunds = self.client.v1.refunds.list(
                {"payment_intent": intent_id, "limit": 100}
            )
            return [refund.to_dict() for refund in refunds.auto_paging_iter()]

    def list_intents(self, since: datetime) -> Iterator[dict]:
        """Yield the PaymentIntents created since ``since``, newest first."""
        start = int(since.timestamp())
        with unavailable_on_failure("list payments"):
            intents = self.client.v1.payment_intents.list(
                {"created": {"gte": start}, "limit": 100}
            )
            for intent in intents.auto_paging_iter():
                found = intent.to_dict()
                # Checked here as well, because the filter is the API's.
                if int(found["created"]) >= start:
                    yield found

    def create_customer(
        self, *, email: str, name: str | None, idempotency_key: str
    ) -> str:
        """Create a Stripe Customer to save payment methods to; return its id."""
        params = {
            "email": email,
            "metadata": {"kassa_idempotency_key": idempotency_key},
        }
        if name:
            params["name"] = name
        with unavailable_on_failure("create a customer"):
            customer = self.client.v1.customers.create(
                params, {"idempotency_key": idempotency_key}
            )
        return customer.id

    def create_setup_intent(
        self, *, customer: str, payment_method_types: list[str], idempotency_key: str
    ) -> SetupResult:
        """Start saving a payment method without a charge, for Stripe.js to confirm."""
        params = {
            "customer": customer,
            "usage": "off_session",
            "payment_method_types": payment_method_types,
            "metadata": {"kassa_idempotency_key": idempotency_key},
        }
        with unavailable_on_failure("save a payment method"):
            setup = self.client.v1.setup_intents.create(
                params, {"idempotency_key": idempotency_key}
            )
        return _setup_result(setup.to_dict())

    def retrieve_setup_intent(self, setup_intent_id: str) -> SetupResult:
        with unavailable_on_failure("retrieve a saved payment method"):
            setup = self.client.v1.setup_intents.retrieve(setup_intent_id)
        return _setup_result(setup.to_dict())

    def open_setup_intent(
        self, setup_intent_id: str, *, customer: str
    ) -> SetupResult | None:
        """Return a SetupIntent of ``customer`` that still waits for a card, or None.

        None also for one that Stripe no longer has, so that the caller
        creates a new one instead.
        """
        try:
            setup = self.retrieve_setup_intent(setup_intent_id)
        except stripe.InvalidRequestError:
            logger.info("SetupIntent %s not found for reuse", setup_intent_id)
            return None
        if setup.customer != customer or setup.status not in OPEN_SETUP_STATUSES:
            return None
        return setup

    def save_card(
        self,
        *,
        customer: str,
        details: PaymentMethodReference,
        currency: str,
        idempotency_key: str,
    ) -> IntentResult:
        """Save a card made in the browser to ``customer`` without charging it.

        A SetupIntent is created and confirmed with the card. The result is
        ``succeeded`` with the card in ``payment_method_id``, or
        ``requires_action`` while the bank requires the buyer to authenticate
        the card. Either way the result's id is the SetupIntent's. Raises
        ``PaymentError`` for a declined card and ``InvalidPaymentDetails``
        for a bank account, which is saved only with a payment.
        """
        method = self._payment_method(details.id)
        if METHOD_KINDS.get(method["type"]) != "card":
            raise InvalidPaymentDetails(
                "Pay with a card: a bank account can be saved only with a payment.",
                code="card_required",
            )
        params = {
            "customer": customer,
            "usage": "off_session",
            "payment_method_types": ["card"],
            "metadata": {
                "kassa_idempotency_key": idempotency_key,
                "kassa_currency": currency.upper(),
            },
        }
        with unavailable_on_failure("save a payment method"):
            setup = self.client.v1.setup_intents.create(
                params, {"idempotency_key": idempotency_key}
            )
            try:
                # NOTE: confirmed without use_stripe_sdk or a return_url, like the
                # checkout's PaymentIntents. Stripe.js's handleNextAction then
                # runs the check the bank requires; only localstripe tested it.
                setup = self.client.v1.setup_intents.confirm(
                    setup.id,
                    {"payment_method": details.id},
                    {"idempotency_key": f"{idempotency_key}-confirm"},
                )
            except stripe.CardError as error:
                code = error_code(error_body(error), "card") or "card_declined"
                logger.info("Stripe declined saving a card to %s: %s", customer, code)
                raise PaymentError("The card was declined.", code=code) from error
        result = setup_to_intent_result(setup.to_dict())
        logger.info("Stripe setup intent %s is %s", result.id, result.status.value)
        return result

    def saved_method_details(self, payment_method_id: str) -> SavedMethodDetails:
        method = self._payment_method(payment_method_id)
        kind = METHOD_KINDS.get(method["type"], "card")
        details = method.get(method["type"]) or {}
        return SavedMethodDetails(
            id=method["id"],
            kind=kind,
            brand=details.get("brand") if kind == "card" else None,
            last4=details.get("last4"),
            exp_month=details.get("exp_month"),
            exp_year=details.get("exp_year"),
        )

    def _retrieve_setup(self, setup_intent_id: str) -> IntentResult:
        with unavailable_on_failure("retrieve a saved payment method"):
            try:
                setup = self.client.v1.setup_intents.retrieve(setup_intent_id)
            except stripe.InvalidRequestError as error:
                raise PaymentError(
                    "Unknown payment.", code="resource_missing"
                ) from error
        return setup_to_intent_result(setup.to_dict())

    def _cancel_setup(self, setup_intent_id: str) -> IntentResult:
        """Cancel a SetupIntent that has not saved its card yet."""
        current = self._retrieve_setup(setup_intent_id)
        if current.status is not PaymentStatus.REQUIRES_ACTION:
            return current
        with unavailable_on_failure("cancel saving a payment method"):
            setup = self.client.v1.setup_intents.cancel(setup_intent_id)
        return replace(
            setup_to_intent_result(setup.to_dict()), status=PaymentStatus.CANCELED
        )

    def _payment_method(self, payment_method_id: str) -> dict:
        with unavailable_on_failure("read a payment method"):
            try:
                method = self.client.v1.payment_methods.retrieve(payment_method_id)
            except stripe.InvalidRequestError as error:
                raise InvalidPaymentDetails(
                    "Enter your payment details again.", code="payment_method_missing"
                ) from error
        return method.to_dict()

    def _confirm(self, params: dict, idempotency_key: str, kind: str) -> IntentResult:
        """Create a confirmed PaymentIntent; a decline is a result, not an error."""
        with unavailable_on_failure("create a payment"):
            try:
                intent = self.client.v1.payment_intents.create(
                    params, {"idempotency_key": idempotency_key}
                )
            except stripe.CardError as error:
                return self._declined(error, kind)
            except stripe.InvalidRequestError as error:
                logger.error(
                    "Stripe rejected a payment request: %s (request %s)",
                    error.code,
                    error.request_id,
                )
                raise PaymentError(
                    "The payment could not be made.", code="payment_failed"
                ) from error
        result = to_intent_result(intent.to_dict(), kind=kind)
        logger.info("Stripe payment intent %s is %s", result.id, result.status.value)
        return result

    def _declined(self, error: stripe.CardError, kind: str) -> IntentResult:
        """Build the result of a confirmation that Stripe declined with a 402.

        The current API puts the PaymentIntent in the error. Older responses
        name only the charge, whose ``payment_intent`` leads to it.
        """
        body = error_body(error)
        intent = body.get("payment_intent")
        if not isinstance(intent, dict):
            charge = self.client.v1.charges.retrieve(body["charge"]).to_dict()
            intent = self.client.v1.payment_intents.retrieve(
                charge["payment_intent"], {"expand": ["payment_method"]}
            ).to_dict()
        result = to_intent_result(intent, kind=kind)
        if result.error_code is None:
            result = replace(result, error_code=error_code(body, kind))
        logger.info(
            "Stripe declined payment intent %s: %s", result.id, result.error_code
        )
        return result


def _online_mandate(details: PaymentMethodReference) -> dict:
    """Return the mandate a bank debit needs: accepted online, from where."""
    online = {
        "ip_address": details.client_address or "",
        "user_agent": details.user_agent or "",
    }
    return {"customer_acceptance": {"type": "online", "online": online}}


def _setup_result(setup: dict) -> SetupResult:
    method = setup.get("payment_method")
    if isinstance(method, dict):
        method = method.get("id")
    customer = setup.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return SetupResult(
        id=setup["id"],
        status=str(setup["status"]),
        client_secret=setup["client_secret"],
        payment_method_id=method,
        customer=customer,
    )
