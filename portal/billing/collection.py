"""Automatic collection: charging a period to the subscription's saved method.

A charge is made in two parts. ``charge_period`` talks to the processor and
writes nothing, and ``record_charge`` then writes the outcome. SQLite lets
one connection write at a time, and the test-mode processor writes its
intents through its own connection, so no write may come before the
processor call in the same transaction.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from portal import audit
from portal.billing.retries import next_retry_on, retry_days
from portal.billing.states import (
    SYSTEM,
    end_subscription,
    local_date,
    set_period_status,
    set_subscription_status,
    settle_period,
    start_of_day,
)
from portal.checkout.charges import copy_order
from portal.checkout.messages import payment_error_message
from portal.checkout.payments import apply_intent, complete_payment, set_status
from portal.models import (
    Business,
    Payment,
    PaymentStatus,
    PeriodStatus,
    SavedPaymentMethod,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from portal.notifications.subscriptions import FailedRenewal
from portal.payments.intent_fields import method_fields, no_charge_intent
from portal.processors.base import (
    IntentResult,
    PaymentError,
    Processor,
    ProcessorUnavailable,
)

logger = logging.getLogger(__name__)

# The status a new period starts in, by the status of its first charge.
FIRST_STATUS = {
    PaymentStatus.SUCCEEDED: PeriodStatus.PAID,
    PaymentStatus.PROCESSING: PeriodStatus.PROCESSING,
    PaymentStatus.REQUIRES_ACTION: PeriodStatus.REQUIRES_ACTION,
}

# Error code of a charge that was not tried because no usable method is saved.
NO_SAVED_METHOD = "payment_method_missing"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    """The processor's result for one charge; nothing is recorded yet."""

    processor: str
    intent: IntentResult | None = None  # None when nothing was charged
    error_code: str | None = None  # set when the charge could not be made
    error_message: str | None = None

    @property
    def free(self) -> bool:
        """True for a period whose amount was zero, so nothing was charged."""
        return self.intent is None and self.error_code is None


@dataclass
class Collection:
    """The outcome of one charge of a period, and the emails it calls for."""

    status: PeriodStatus
    payment: Payment | None = None
    # Emails to send after the commit: the receipt of ``payment``, the link
    # to authenticate it, or the notice of a failed charge.
    receipt: bool = False
    authentication: bool = False
    failure: FailedRenewal | None = None
    ended: bool = False  # the subscription stopped renewing
    details: dict[str, str] = field(default_factory=dict)


def chargeable_method(
    method: SavedPaymentMethod | None, processor: Processor
) -> SavedPaymentMethod | None:
    """Return ``method`` unless it is missing, removed or saved at another processor."""
    if (
        method is None
        or method.removed_at is not None
        or method.customer.processor != processor.name
    ):
        return None
    return method


def idempotency_key(subscription: Subscription, index: int, attempt: int) -> str:
    """Return the processor key of a charge, the same whenever it is repeated.

    A run that charged but crashed before its commit tries the same attempt
    again with the same key, and the processor returns the first result
    instead of charging twice.
    """
    return f"subscription-{subscription.id}-period-{index}-attempt-{attempt}"


def charge_period(
    processor: Processor,
    subscription: Subscription,
    *,
    amount: int,
    index: int,
    attempt: int,
    description: str,
) -> ChargeResult:
    """Charge ``amount`` to the saved method, or report why it was not charged.

    Raises ``ProcessorUnavailable`` when the processor cannot be reached,
    and the caller then records nothing, so that the next run tries again
    with the same idempotency key.
    """
    if amount == 0:
        return ChargeResult(processor="none")
    method = chargeable_method(subscription.saved_method, processor)
    if method is None:
        return ChargeResult(processor=processor.name, error_code=NO_SAVED_METHOD)
    try:
        intent = processor.charge_saved_method(
            customer=method.customer.customer_ref,
            payment_method=method.processor_ref,
            amount=amount,
            currency=subscription.currency,
            idempotency_key=idempotency_key(subscription, index, attempt),
            description=description,
        )
    except ProcessorUnavailable:
        raise
    except PaymentError as error:
        logger.info(
            "charge of subscription %s period %s failed: %s",
            subscription.id,
            index,
            error.code,
        )
        return ChargeResult(
            processor=processor.name,
            error_code=error.code,
            error_message=error.message,
        )
    return ChargeResult(processor=processor.name, intent=intent)


def release_held_charge(processor: Processor, payment: Payment) -> IntentResult:
    """Read a held charge from the processor, canceling it if it still waits.

    A charge that waits for the customer's authentication is canceled before
    the period is charged again, so that the customer cannot complete the
    old one as well. One the customer completed meanwhile is returned as it
    is. Writes nothing.
    """
    current = processor.retrieve(payment.processor_ref)
    if current.status is PaymentStatus.REQUIRES_ACTION:
        current = processor.reverse_payment(payment.processor_ref)
    return current


def record_released(session: Session, payment: Payment, intent: IntentResult) -> None:
    """Record what became of a held charge that ``release_held_charge`` read."""
    if intent.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
        apply_intent(session, payment, intent, actor=SYSTEM, client_address=None)
        return
    if payment.status is not intent.status:
        payment.failure_message = payment_error_message(
            intent.error_code, intent.error_message
        )
        set_status(session, payment, intent.status, actor=SYSTEM, client_address=None)


def record_charge(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    result: ChargeResult,
    *,
    business: Business,
    today: date,
    moment: datetime,
) -> Collection:
    """Write a charge's payment and move the period and subscription on.

    ``period`` may be new and not yet flushed. ``today`` is the subscription's
    date in the business's time zone, from which retries are scheduled.
    """
    previous_due = (
        local_date(period.next_attempt_at, business.timezone)
        if period.next_attempt_at is not None
        else None
    )
    if period.status is None:
        # A new period: its first status goes into the row, and the caller's
        # audit row of the new period records it.
        period.status = _first_status(result)
    period.attempts += 1
    timing = _Timing(business, today, previous_due, moment)
    if result.error_code is not None:
        period.payment = None
        reason = _failure_reason(result.error_code, result.error_message)
        return _fail(session, subscription, period, timing, reason)

    payment = _new_payment(session, subscription, period, result)
    status = payment.status
    if status is PaymentStatus.SUCCEEDED:
        set_period_status(session, period, PeriodStatus.PAID)
        complete_payment(session, payment, actor=SYSTEM, client_address=None)
        period.invoice = payment.invoice
        settle_period(session, period, moment)
        _activate(session, subscription)
        return Collection(PeriodStatus.PAID, payment=payment, receipt=True)
    if status is PaymentStatus.PROCESSING:
        set_period_status(session, period, PeriodStatus.PROCESSING)
        period.next_attempt_at = None
        _activate(session, subscription)
        return Collection(PeriodStatus.PROCESSING, payment=payment, receipt=True)
    if status is PaymentStatus.REQUIRES_ACTION:
        return _hold(session, subscription, period, payment, timing)
    intent = result.intent
    payment.failure_message = payment_error_message(
        intent.error_code, intent.error_message
    )
    collection = _fail(session, subscription, period, timing, payment.failure_message)
    collection.payment = payment
    return collection


def give_up(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    business: Business,
    moment: datetime,
) -> bool:
    """Mark the period uncollectible and stop its subscription if it still renews.

    Returns True when the subscription stopped renewing here.

    The business's ``subscription_after_retries`` decides whether the
    subscription is canceled or kept as unpaid. One that has already ended
    stays as it is.
    """
    set_period_status(session, period, PeriodStatus.UNCOLLECTIBLE)
    period.next_attempt_at = None
    if subscription.status not in (
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.TRIALING,
        SubscriptionStatus.PAST_DUE,
    ):
        return False
    status = SubscriptionStatus(business.subscription_after_retries)
    end_subscription(session, subscription, status, moment, reason="retries_exhausted")
    return True


def _new_payment(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    result: ChargeResult,
) -> Payment:
    """Add the payment of one charge, with an order of its own.

    Every payment has its own order, so the period's order goes to the first
    payment made for it and each retry gets a copy.
    """
    intent = result.intent or no_charge_intent(subscription.currency)
    first = period.id is None or not _has_payment(session, period)
    payment = Payment(
        token=secrets.token_urlsafe(24),
        contact=subscription.contact,
        order=period.order if first else copy_order(period.order),
        currency=subscription.currency,
        amount=period.amount,
        status=intent.status,
        **method_fields(intent),
        processor=result.processor if intent.id else "none",
        processor_ref=intent.id or None,
        locale=subscription.locale,
    )
    session.add(payment)
    period.payment = payment
    session.flush()
    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.created",
        actor=SYSTEM,
        to_state=payment.status.value,
        details={
            "subscription": str(subscription.id),
            "period": str(period.index),
            "attempt": str(period.attempts),
            "amount": str(payment.amount),
        },
    )
    logger.info(
        "payment %s created as %s for subscription %s period %s",
        payment.id,
        payment.status.value,
        subscription.id,
        period.index,
    )
    return payment


def _has_payment(session: Session, period: SubscriptionPeriod) -> bool:
    """Tell whether a payment already uses the period's own order."""
    return session.scalar(select(exists().where(Payment.order_id == period.order_id)))


def _hold(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    payment: Payment,
    timing: "_Timing",
) -> Collection:
    """Wait for the customer to authenticate the charge, until the next retry."""
    set_period_status(session, period, PeriodStatus.REQUIRES_ACTION)
    retry_on = timing.retry_on(period.attempts)
    # With no retry left, the customer has one day to authenticate before the
    # period is given up.
    check_on = retry_on or timing.today + timedelta(days=1)
    period.next_attempt_at = start_of_day(check_on, timing.business.timezone)
    _fall_behind(session, subscription)
    return Collection(
        PeriodStatus.REQUIRES_ACTION, payment=payment, authentication=True
    )


def fail_period(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    *,
    business: Business,
    today: date,
    moment: datetime,
    reason: str,
    previous_due: date | None = None,
) -> Collection:
    """Schedule the next retry of a failed charge, or give the period up.

    ``period.attempts`` counts the failed charge already. The returned
    collection carries the notice to email the customer.
    """
    timing = _Timing(business, today, previous_due, moment)
    return _fail(session, subscription, period, timing, reason)


def _fail(
    session: Session,
    subscription: Subscription,
    period: SubscriptionPeriod,
    timing: "_Timing",
    reason: str,
) -> Collection:
    business = timing.business
    retry_on = timing.retry_on(period.attempts)
    if retry_on is None:
        ended = give_up(session, subscription, period, business, timing.moment)
        failure = FailedRenewal(
            amount=period.amount,
            reason=reason,
            retry_on=None,
            final_status=subscription.status if ended else None,
        )
        return Collection(PeriodStatus.UNCOLLECTIBLE, failure=failure, ended=ended)
    set_period_status(
        session, period, PeriodStatus.FAILED, details={"retry_on": retry_on.isoformat()}
    )
    period.next_attempt_at = start_of_day(retry_on, business.timezone)
    _fall_behind(session, subscription)
    failure = FailedRenewal(amount=period.amount, reason=reason, retry_on=retry_on)
    return Collection(PeriodStatus.FAILED, failure=failure)


@dataclass(frozen=True, slots=True)
class _Timing:
    """The day of a charge, from which the next retry is counted."""

    business: Business
    today: date
    previous_due: date | None  # the day this charge was scheduled for, if a retry
    moment: datetime  # the subscription's current time, for end timestamps

    def retry_on(self, attempts: int) -> date | None:
        days = retry_days(self.business)
        return next_retry_on(days, attempts, self.today, self.previous_due)


def _first_status(result: ChargeResult) -> PeriodStatus:
    if result.error_code is not None:
        return PeriodStatus.FAILED
    if result.intent is None:
        return PeriodStatus.PAID
    return FIRST_STATUS.get(result.intent.status, PeriodStatus.FAILED)


def _activate(session: Session, subscription: Subscription) -> None:
    """Make a subscription whose trial or start has just been paid for active."""
    if subscription.status in (
        SubscriptionStatus.SCHEDULED,
        SubscriptionStatus.TRIALING,
    ):
        set_subscription_status(session, subscription, SubscriptionStatus.ACTIVE)


def _fall_behind(session: Session, subscription: Subscription) -> None:
    if subscription.status in (
        SubscriptionStatus.SCHEDULED,
        SubscriptionStatus.TRIALING,
        SubscriptionStatus.ACTIVE,
    ):
        set_subscription_status(session, subscription, SubscriptionStatus.PAST_DUE)


def _failure_reason(code: str, message: str | None) -> str:
    if code == NO_SAVED_METHOD:
        return _("No payment method is saved for this subscription.")
    return payment_error_message(code, message)
