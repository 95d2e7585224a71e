"""The built-in test-mode processor: Stripe's test cards, without a network.

Only the numbers below are accepted. Intents are kept in the database so that
an authentication step or a bank debit can finish in a later request.
"""

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
from portal.models import PaymentStatus, TestModeIntent, TestModeRefund
from portal.models.refunds import COUNTED_REFUND_STATUSES, RefundStatus
from portal.processors.base import (
    BankDetails,
    CardDetails,
    IntentResult,
    InvalidPaymentDetails,
    PaymentError,
    RefundError,
    RefundResult,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CardBehaviour:
    brand: str
    error_code: str | None = None  # a decline, when set
    requires_action: bool = False
    refund_fails: bool = False  # the payment succeeds, every refund of it fails


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
}

REFUND_FAILED_MESSAGE = (
    "The card issuer rejected the refund. Refund the buyer another way, such as "
    "a bank transfer."
)


class TestModeProcessor:
    name = "test"

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
    ) -> IntentResult:
        intent = self._build_intent(amount, currency, details)
        intent.idempotency_key = idempotency_key
        with self._session_factory() as session:
            session.add(intent)
            try:
                session.commit()
            except IntegrityError:
                # Like Stripe, a repeated idempotency key returns the first result.
                session.rollback()
                existing = session.scalars(
                    select(TestModeIntent).where(
                        TestModeIntent.idempotency_key == idempotency_key
                    )
                ).one()
                return _result(existing)
            logger.info("test-mode intent created", extra={"intent": intent.id})
            return _result(intent)

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
            return _result(intent)

    def retrieve(self, intent_id: str) -> IntentResult:
        with self._session_factory() as session:
            intent = session.get(TestModeIntent, intent_id)
            if intent is None:
                raise PaymentError("Unknown payment.", code="resource_missing")
            return _result(intent)

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
            behaviour = TEST_CARDS.get(details.number)
            if behaviour is None:
                raise InvalidPaymentDetails(
                    "This is test mode: use a test card such as 4242 4242 4242 4242.",
                    code="invalid_number",
                )
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
        intent.method = "bank_debit"
        intent.last4 = details.account_number[-4:]
        intent.status = PaymentStatus.PROCESSING
        intent.outcome = outcome
        intent.settles_at = intent.created_at + self._debit_delay
        return intent


def _result(intent: TestModeIntent) -> IntentResult:
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
