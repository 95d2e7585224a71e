"""The built-in test-mode processor: Stripe's test cards, without a network.

Only the numbers below are accepted. Intents are kept in the database so that
an authentication step or a bank debit can finish in a later request.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.database import now_utc
from portal.locking import lock_row
from portal.models import (
    PaymentStatus,
    TestModeIntent,
    TestModePaymentMethod,
    TestModeRefund,
)
from portal.models.refunds import COUNTED_REFUND_STATUSES, RefundStatus
from portal.processors.base import (
    BankDetails,
    CardDetails,
    IntentResult,
    InvalidPaymentDetails,
    PaymentError,
    RefundError,
    RefundResult,
    SavedMethodDetails,
)

logger = logging.getLogger(__name__)


# Prefix of the behaviour of a card that waits for authentication before it
# is saved, and the behaviour of one whose authentication failed.
UNCONFIRMED = "unconfirmed:"
SETUP_FAILED = "setup_failed"


class AuthenticationRequired(PaymentError):
    """A card that can be saved only after the customer authenticates it.

    ``setup_id`` names the setup to pass to ``complete_setup`` with the
    customer's decision.
    """

    def __init__(self, setup_id: str) -> None:
        super().__init__(
            DECLINE_MESSAGES["authentication_required"], code="authentication_required"
        )
        self.setup_id = setup_id


@dataclass(frozen=True, slots=True)
class CardBehaviour:
    brand: str
    error_code: str | None = None  # a decline, when set
    requires_action: bool = False
    refund_fails: bool = False  # the payment succeeds, every refund of it fails
    # How later off-session charges of the card go once it is saved:
    # "succeed", "decline" or "authenticate".
    saved: str = "succeed"


TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": CardBehaviour("visa"),
    "5555555555554444": CardBehaviour("mastercard"),
    "4000000000000002": CardBehaviour("visa", error_code="card_declined"),
    "4000000000009995": CardBehaviour("visa", error_code="insufficient_funds"),
    "4000000000000069": CardBehaviour("visa", error_code="expired_card"),
    "4000000000000127": CardBehaviour("visa", error_code="incorrect_cvc"),
    "4000000000000119": CardBehaviour("visa", error_code="processing_error"),
    "4000002500003155": CardBehaviour("visa", requires_action=True),
    "4000000000005126": CardBehaviour("visa", refund_fails=True),
    # Paid and saved at checkout; every later off-session charge is declined.
    "4000000000000341": CardBehaviour("visa", saved="decline"),
    # Needs authentication at checkout and again for every later charge.
    "4000002760003184": CardBehaviour(
        "visa", requires_action=True, saved="authenticate"
    ),
}

TEST_ROUTING_NUMBER = "110000000"
# Account number -> what happens when the debit settles.
TEST_BANK_ACCOUNTS = {"000123456789": "succeed", "000111111116": "fail"}

DECLINE_MESSAGES = {
    "card_declined": "Your card was declined. Try another card.",
    "insufficient_funds": "Your card has insufficient funds. Try another card.",
    "expired_card": "Your card has expired. Check the expiry date or use another card.",
    "incorrect_cvc": "The security code (CVC) is incorrect. Check it and try again.",
    "processing_error": (
        "An error occurred while processing your card. Try again in a moment."
    ),
    "authentication_failed": (
        "We could not authenticate your payment. Try again or use another card."
    ),
    "debit_failed": "The bank debit failed. Pay with a card or another account.",
    "authentication_required": (
        "Your bank asks you to confirm this payment. Follow the link we emailed you."
    ),
}

REFUND_FAILED_MESSAGE = (
    "The card issuer rejected the refund. Refund the buyer another way, such as "
    "a bank transfer."
)


class TestModeProcessor:
    name = "test"
    live_mode = False

    def __init__(
        self, session_factory: Callable[[], Session], debit_delay: int
    ) -> None:
        self._session_factory = session_factory
        self._debit_delay = timedelta(seconds=debit_delay)

    def create_payment(
        self,
        *,
        amount: int,
        currency: str,
        details: CardDetails | BankDetails,
        idempotency_key: str,
        description: str,
        customer: str | None = None,
        save_method: bool = False,
    ) -> IntentResult:
        intent = self._build_intent(amount, currency, details)
        intent.idempotency_key = idempotency_key
        method = None
        if (
            save_method
            and customer
            and intent.status != PaymentStatus.REQUIRES_PAYMENT_METHOD
        ):
            method = _saved_method(customer, details, idempotency_key)
        return self._store_intent(intent, method)

    def create_customer(
        self, *, email: str, name: str | None, idempotency_key: str
    ) -> str:
        """Return a customer id; the same key always gives the same id.

        Test mode keeps nothing about its customers but their saved methods.
        """
        return f"cus_test_{_digest(idempotency_key)}"

    def save_card(
        self, *, customer: str, details: CardDetails, idempotency_key: str
    ) -> SavedMethodDetails:
        """Save a card for later charges without charging it, as a SetupIntent does.

        A card that the test cards decline is refused with a PaymentError. A
        card that requires authentication, such as 4000 0025 0000 3155, raises
        ``AuthenticationRequired`` until ``complete_setup`` approves it. The
        same ``idempotency_key`` then returns the saved card.
        """
        behaviour = _card_behaviour(details)
        if behaviour.error_code:
            raise PaymentError(
                DECLINE_MESSAGES[behaviour.error_code], code=behaviour.error_code
            )
        method = _saved_method(customer, details, idempotency_key)
        if behaviour.requires_action:
            return self._save_after_authentication(method, idempotency_key)
        with self._session_factory() as session:
            existing = session.get(TestModePaymentMethod, method.id)
            if existing is None:
                session.add(method)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    existing = session.get(TestModePaymentMethod, method.id)
            found = existing or method
            logger.info("test-mode payment method %s saved", found.id)
            return _method_details(found)

    def _save_after_authentication(
        self, method: TestModePaymentMethod, idempotency_key: str
    ) -> SavedMethodDetails:
        """Keep the card unconfirmed until ``complete_setup`` approves it.

        An unconfirmed card's behaviour carries the ``UNCONFIRMED`` prefix,
        and it cannot be charged or looked up until it is approved.
        """
        method.behaviour = UNCONFIRMED + method.behaviour
        with self._session_factory() as session:
            found = session.get(TestModePaymentMethod, method.id)
            if found is None:
                session.add(method)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    found = session.get(TestModePaymentMethod, method.id)
            found = found or method
            if found.behaviour == SETUP_FAILED:
                raise PaymentError(
                    DECLINE_MESSAGES["authentication_failed"],
                    code="authentication_failed",
                )
            if found.behaviour.startswith(UNCONFIRMED):
                logger.info("test-mode card %s waits for authentication", found.id)
                raise AuthenticationRequired(found.id)
            return _method_details(found)

    def complete_setup(self, setup_id: str, *, approved: bool) -> SavedMethodDetails:
        """Approve or fail the authentication of a card that ``save_card`` kept.

        Returns the saved card once approved. Raises ``PaymentError`` when the
        authentication failed, now or before, and for an unknown setup.
        """
        with self._session_factory() as session:
            method = session.get(TestModePaymentMethod, setup_id, with_for_update=True)
            if method is None:
                raise PaymentError("Unknown card setup.", code="resource_missing")
            if method.behaviour.startswith(UNCONFIRMED):
                if approved:
                    method.behaviour = method.behaviour.removeprefix(UNCONFIRMED)
                else:
                    method.behaviour = SETUP_FAILED
                session.commit()
                logger.info("test-mode card %s authentication finished", method.id)
            if method.behaviour == SETUP_FAILED:
                raise PaymentError(
                    DECLINE_MESSAGES["authentication_failed"],
                    code="authentication_failed",
                )
            return _method_details(method)

    def saved_method_details(self, payment_method_id: str) -> SavedMethodDetails:
        with self._session_factory() as session:
            method = session.get(TestModePaymentMethod, payment_method_id)
            if method is None or not _confirmed(method):
                raise InvalidPaymentDetails(
                    "Enter your payment details again.", code="payment_method_missing"
                )
            return _method_details(method)

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
        """Charge a saved method as its test card or bank account would behave."""
        with self._session_factory() as session:
            method = session.get(TestModePaymentMethod, payment_method)
            if (
                method is None
                or method.customer_ref != customer
                or not _confirmed(method)
            ):
                raise InvalidPaymentDetails(
                    "The saved payment method no longer exists.",
                    code="payment_method_missing",
                )
            intent = self._saved_intent(method, amount, currency)
        intent.idempotency_key = idempotency_key
        return self._store_intent(intent, None)

    def complete_action(self, intent_id: str, *, approved: bool) -> IntentResult:
        with self._session_factory() as session:
            intent = session.get(TestModeIntent, intent_id, with_for_update=True)
            if intent is None:
                raise PaymentError("Unknown payment.", code="resource_missing")
            if intent.status == PaymentStatus.REQUIRES_ACTION:
                if approved:
                    intent.status = PaymentStatus.SUCCEEDED
                else:
                    intent.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
                    intent.error_code = "authentication_failed"
                session.commit()
            return _result(intent, _saved_method_id(session, intent))

    def retrieve(self, intent_id: str) -> IntentResult:
        with self._session_factory() as session:
            intent = session.get(TestModeIntent, intent_id)
            if intent is None:
                raise PaymentError("Unknown payment.", code="resource_missing")
            return _result(intent, _saved_method_id(session, intent))

    def reverse_payment(self, intent_id: str) -> IntentResult:
        with self._session_factory() as session:
            intent = session.get(TestModeIntent, intent_id, with_for_update=True)
            if intent is None:
                raise PaymentError("Unknown payment.", code="resource_missing")
            intent.status = PaymentStatus.CANCELED
            session.commit()
            logger.info("test-mode intent reversed", extra={"intent": intent.id})
            return _result(intent)

    def refund(
        self,
        intent_id: str,
        *,
        amount: int,
        idempotency_key: str,
        reason: str | None,
    ) -> RefundResult:
        with self._session_factory() as session:
            if not lock_row(session, TestModeIntent, intent_id):
                raise RefundError(
                    f"Payment {intent_id} not found.", code="resource_missing"
                )
            existing = session.scalars(
                select(TestModeRefund).where(
                    TestModeRefund.idempotency_key == idempotency_key
                )
            ).first()
            if existing is not None:
                return _repeated_refund(existing, intent_id, amount)

            intent = session.get(TestModeIntent, intent_id)
            _check_refundable(session, intent, amount)
            refund = TestModeRefund(
                id=f"re_test_{secrets.token_hex(12)}",
                intent_id=intent.id,
                idempotency_key=idempotency_key,
                amount=amount,
                currency=intent.currency,
                status=RefundStatus.SUCCEEDED.value,
                reason=reason,
            )
            if intent.outcome == "refund_fails":
                refund.status = RefundStatus.FAILED.value
            session.add(refund)
            session.commit()
            logger.info(
                "test-mode refund %s of intent %s: %s",
                refund.id,
                intent.id,
                refund.status,
            )
            return _refund_result(refund)

    def settle_due_debits(self, as_of: datetime | None = None) -> list[IntentResult]:
        """Settle every processing bank debit whose settle time has come."""
        as_of = as_of or now_utc()
        settled = []
        with self._session_factory() as session:
            due = session.scalars(
                select(TestModeIntent)
                .where(
                    TestModeIntent.status == PaymentStatus.PROCESSING,
                    TestModeIntent.settles_at <= as_of,
                )
                .order_by(TestModeIntent.created_at)
                .with_for_update(skip_locked=True)
            ).all()
            for intent in due:
                if intent.outcome == "succeed":
                    intent.status = PaymentStatus.SUCCEEDED
                else:
                    intent.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
                    intent.error_code = "debit_failed"
                settled.append(_result(intent))
            session.commit()
        return settled

    def _store_intent(
        self, intent: TestModeIntent, method: TestModePaymentMethod | None
    ) -> IntentResult:
        with self._session_factory() as session:
            session.add(intent)
            if method is not None:
                session.add(method)
            try:
                session.commit()
            except IntegrityError:
                # Like Stripe, a repeated idempotency key returns the first result.
                session.rollback()
                existing = session.scalars(
                    select(TestModeIntent).where(
                        TestModeIntent.idempotency_key == intent.idempotency_key
                    )
                ).one()
                saved = method and session.get(TestModePaymentMethod, method.id)
                return _result(existing, saved.id if saved else None)
            logger.info("test-mode intent created", extra={"intent": intent.id})
            return _result(intent, method.id if method else None)

    def _saved_intent(
        self, method: TestModePaymentMethod, amount: int, currency: str
    ) -> TestModeIntent:
        now = now_utc()
        intent = TestModeIntent(
            id=f"pi_test_{secrets.token_hex(12)}",
            amount=amount,
            currency=currency,
            method=method.kind,
            card_brand=method.brand,
            last4=method.last4,
            created_at=now,
        )
        if method.kind == "bank_debit":
            intent.status = PaymentStatus.PROCESSING
            intent.outcome = method.behaviour
            intent.settles_at = now + self._debit_delay
        elif method.behaviour == "decline":
            intent.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
            intent.error_code = "card_declined"
        elif method.behaviour == "authenticate":
            intent.status = PaymentStatus.REQUIRES_ACTION
            intent.error_code = "authentication_required"
        else:
            intent.status = PaymentStatus.SUCCEEDED
        return intent

    def _build_intent(
        self, amount: int, currency: str, details: CardDetails | BankDetails
    ) -> TestModeIntent:
        intent = TestModeIntent(
            id=f"pi_test_{secrets.token_hex(12)}",
            amount=amount,
            currency=currency,
            created_at=now_utc(),
        )
        if isinstance(details, CardDetails):
            behaviour = _card_behaviour(details)
            intent.method = "card"
            intent.card_brand = behaviour.brand
            intent.last4 = details.number[-4:]
            if behaviour.error_code:
                intent.status = PaymentStatus.REQUIRES_PAYMENT_METHOD
                intent.error_code = behaviour.error_code
            elif behaviour.requires_action:
                intent.status = PaymentStatus.REQUIRES_ACTION
            else:
                intent.status = PaymentStatus.SUCCEEDED
            if behaviour.refund_fails:
                intent.outcome = "refund_fails"
            return intent

        outcome = _bank_outcome(details)
        intent.method = "bank_debit"
        intent.last4 = details.account_number[-4:]
        intent.status = PaymentStatus.PROCESSING
        intent.outcome = outcome
        intent.settles_at = intent.created_at + self._debit_delay
        return intent


def _card_behaviour(details: CardDetails) -> CardBehaviour:
    behaviour = TEST_CARDS.get(details.number)
    if behaviour is None:
        raise InvalidPaymentDetails(
            "This is test mode: use a test card such as 4242 4242 4242 4242.",
            code="invalid_number",
        )
    return behaviour


def _bank_outcome(details: BankDetails) -> str:
    """Return how a debit from the test account settles: "succeed" or "fail"."""
    outcome = TEST_BANK_ACCOUNTS.get(details.account_number)
    if details.routing_number != TEST_ROUTING_NUMBER:
        raise InvalidPaymentDetails(
            "This is test mode: use routing number 110000000.",
            code="routing_number_invalid",
        )
    if outcome is None:
        raise InvalidPaymentDetails(
            "This is test mode: use routing number 110000000 and account "
            "number 000123456789.",
            code="invalid_bank_account",
        )
    return outcome


def _confirmed(method: TestModePaymentMethod) -> bool:
    """Tell whether a saved method may be used: not waiting for or failing setup."""
    return not method.behaviour.startswith(UNCONFIRMED) and (
        method.behaviour != SETUP_FAILED
    )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _saved_method(
    customer: str, details: CardDetails | BankDetails, idempotency_key: str
) -> TestModePaymentMethod:
    """Build the saved method for ``details``; the same key gives the same id."""
    method = TestModePaymentMethod(
        id=f"pm_test_{_digest(idempotency_key)}", customer_ref=customer
    )
    if isinstance(details, CardDetails):
        behaviour = _card_behaviour(details)
        method.kind = "card"
        method.brand = behaviour.brand
        method.last4 = details.number[-4:]
        method.exp_month = details.exp_month
        method.exp_year = details.exp_year
        method.behaviour = behaviour.saved
    else:
        method.kind = "bank_debit"
        method.last4 = details.account_number[-4:]
        method.behaviour = _bank_outcome(details)
    return method


def _saved_method_id(session: Session, intent: TestModeIntent) -> str | None:
    """Return the method a payment saved, found by the id its key gives."""
    method_id = f"pm_test_{_digest(intent.idempotency_key)}"
    if session.get(TestModePaymentMethod, method_id) is None:
        return None
    return method_id


def _method_details(method: TestModePaymentMethod) -> SavedMethodDetails:
    return SavedMethodDetails(
        id=method.id,
        kind=method.kind,
        brand=method.brand,
        last4=method.last4,
        exp_month=method.exp_month,
        exp_year=method.exp_year,
    )


def _result(
    intent: TestModeIntent, payment_method_id: str | None = None
) -> IntentResult:
    return IntentResult(
        id=intent.id,
        status=PaymentStatus(intent.status),
        amount=intent.amount,
        currency=intent.currency,
        method=intent.method,
        card_brand=intent.card_brand,
        last4=intent.last4,
        error_code=intent.error_code,
        error_message=DECLINE_MESSAGES.get(intent.error_code or ""),
        payment_method_id=payment_method_id,
    )


def _check_refundable(session: Session, intent: TestModeIntent, amount: int) -> None:
    """Raise RefundError unless ``amount`` fits in what is left of a paid intent."""
    if intent.status != PaymentStatus.SUCCEEDED:
        raise RefundError(
            f"Payment {intent.id} has not succeeded, so it cannot be refunded.",
            code="payment_intent_unexpected_state",
        )
    if amount <= 0:
        raise RefundError(
            f"Refund amount {amount} is invalid. Use a positive number of minor units.",
            code="parameter_invalid_integer",
        )
    refunded = session.scalar(
        select(func.coalesce(func.sum(TestModeRefund.amount), 0)).where(
            TestModeRefund.intent_id == intent.id,
            TestModeRefund.status.in_(
                [status.value for status in COUNTED_REFUND_STATUSES]
            ),
        )
    )
    remaining = intent.amount - refunded
    if remaining <= 0:
        raise RefundError(
            f"Payment {intent.id} has already been refunded in full.",
            code="charge_already_refunded",
        )
    if amount > remaining:
        raise RefundError(
            f"Refund amount {amount} is greater than the unrefunded amount "
            f"{remaining} of payment {intent.id}.",
            code="amount_too_large",
        )


def _repeated_refund(
    refund: TestModeRefund, intent_id: str, amount: int
) -> RefundResult:
    """Return the refund made with a key, unless the key is reused for another one."""
    if refund.intent_id != intent_id or refund.amount != amount:
        raise RefundError(
            "This idempotency key was already used for a different refund. "
            "Use a new key.",
            code="idempotency_error",
        )
    return _refund_result(refund)


def _refund_result(refund: TestModeRefund) -> RefundResult:
    status = RefundStatus(refund.status)
    failure_message = None
    if status is RefundStatus.FAILED:
        failure_message = REFUND_FAILED_MESSAGE
    return RefundResult(
        id=refund.id,
        status=status,
        amount=refund.amount,
        currency=refund.currency,
        failure_message=failure_message,
    )
