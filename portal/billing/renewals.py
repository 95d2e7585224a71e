"""Billing one subscription: the steps a run takes for it, one transaction each.

Each step locks the subscription's row, does one thing (start it, bill one
period, retry one failed charge, end it or send one reminder) and commits,
and its emails go out after that commit. The run repeats steps until
nothing more is due, so a run after a few days of downtime bills every
period it missed, each on its own billing date.

On PostgreSQL the lock is ``SELECT ... FOR UPDATE``, with ``SKIP LOCKED``
in the billing run, so that several runners share the work without waiting
for each other. SQLite has no row locks. There the unique (subscription,
index) of periods, and the processor's idempotency keys, keep a period from
being billed twice.

NOTE: on SQLite, two overlapping runs can both count a retry that makes no
charge, such as one with no saved method, and email its notice twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal import audit
from portal.billing.collection import (
    Collection,
    charge_period,
    give_up,
    record_charge,
    record_released,
    release_held_charge,
)
from portal.billing.follow import follow_payment
from portal.billing.invoicing import add_period_invoice, issue_period_invoice
from portal.billing.pricing import period_order
from portal.billing.reminders import (
    REMINDED_FREQUENCIES,
    REMINDED_STATUSES,
    reminder_due,
    renewal_amount,
    trial_ending,
)
from portal.billing.retries import retry_days
from portal.billing.schedule import billing_date
from portal.billing.states import (
    PENDING_CHARGE,
    SYSTEM,
    end_subscription,
    local_date,
    pending_charge,
    period_end,
    set_subscription_status,
    start_of_day,
)
from portal.billing.summary import RunSummary
from portal.businesses import get_business
from portal.checkout.off_session import request_authentication
from portal.checkout.payments import notify_payment
from portal.database import now_utc
from portal.invoices.delivery import email_invoice
from portal.models import (
    Business,
    CollectionMethod,
    Payment,
    PaymentStatus,
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from portal.notifications import MailConfigError, MailDeliveryError
from portal.notifications.subscriptions import (
    FailedRenewal,
    send_renewal_failed,
    send_renewal_reminder,
)
from portal.processors.base import Processor, ProcessorUnavailable
from portal.subscriptions.actions import subscription_now

logger = logging.getLogger(__name__)

# A stop for a loop that should never run this long: ten years of weekly
# periods are about 520 steps.
MAX_STEPS = 5000

# Statuses in which a subscription's billing dates are billed.
BILLED_STATUSES = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
)


@dataclass
class _Step:
    """One step's work: what to count and what to email once it is committed."""

    summary: RunSummary = field(default_factory=RunSummary)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    more: bool = False  # another step may be due at once


def due_subscriptions(session: Session, as_of: date) -> list[int]:
    """Return the ids of subscriptions with anything due up to ``as_of``.

    That is a start, a billing date, a retry, a renewal reminder or the end
    of a paused subscription canceled at period end. A
    subscription on a test clock is listed by the same rules, and its own
    clock then limits what is billed.
    """
    business = get_business(session)
    cutoff = start_of_day(as_of + timedelta(days=1), business.timezone)
    horizon = as_of + timedelta(days=business.renewal_reminder_days)
    retrying = select(SubscriptionPeriod.subscription_id).where(
        SubscriptionPeriod.status.in_(PENDING_CHARGE),
        SubscriptionPeriod.next_attempt_at < cutoff,
    )
    # Paused subscriptions with a billed period that ends after ``as_of``.
    running = select(SubscriptionPeriod.subscription_id).where(
        SubscriptionPeriod.ends_on > as_of
    )
    statement = (
        select(Subscription.id)
        .where(
            or_(
                and_(
                    Subscription.status == SubscriptionStatus.SCHEDULED,
                    Subscription.start_date <= as_of,
                ),
                and_(
                    Subscription.status.in_(BILLED_STATUSES),
                    Subscription.next_billing_date <= as_of,
                ),
                and_(
                    Subscription.status.in_(REMINDED_STATUSES),
                    Subscription.frequency.in_(REMINDED_FREQUENCIES),
                    Subscription.next_billing_date <= horizon,
                    or_(
                        Subscription.reminded_period.is_(None),
                        Subscription.reminded_period != Subscription.next_period,
                    ),
                ),
                Subscription.id.in_(retrying),
                and_(
                    Subscription.status == SubscriptionStatus.PAUSED,
                    Subscription.cancel_at_period_end.is_(True),
                    ~Subscription.id.in_(running),
                    or_(
                        Subscription.trial_end.is_(None),
                        Subscription.trial_end <= as_of,
                    ),
                ),
            )
        )
        .order_by(Subscription.id)
    )
    return list(session.scalars(statement))


def bill_subscription(
    session: Session,
    subscription: Subscription,
    as_of: date,
    *,
    processor: Processor | None = None,
) -> RunSummary:
    """Bill everything of one subscription that is due up to ``as_of``, and commit.

    A subscription on a test clock is billed up to its clock's date at most.
    Each period is charged at most once per call, so a failed charge waits
    for a later call on or after its retry date. The back office's test
    clock calls this once per day it moves the clock through. Waits for the
    row lock when another runner holds it. Needs an app context.
    """
    summary = RunSummary()
    bill_steps(
        session,
        processor or _current_processor(),
        subscription.id,
        as_of,
        summary,
        skip_locked=False,
    )
    session.refresh(subscription)
    return summary


def bill_steps(
    session: Session,
    processor: Processor,
    subscription_id: int,
    as_of: date,
    summary: RunSummary,
    *,
    skip_locked: bool,
) -> None:
    """Take steps for one subscription until nothing more is due, adding to ``summary``.

    With ``skip_locked`` a subscription that another runner has locked is
    left to that runner. A processor that cannot be reached stops the
    subscription's billing until the next run, which repeats the same
    idempotency key. Any other error is rolled back and raised.
    """
    for _ in range(MAX_STEPS):
        session.expire_all()
        subscription = _lock(session, subscription_id, skip_locked=skip_locked)
        if subscription is None:
            session.rollback()
            return
        try:
            step = _take_step(session, processor, subscription, as_of)
            session.commit()
        except ProcessorUnavailable:
            session.rollback()
            logger.warning(
                "billing subscription %s stopped: processor unavailable",
                subscription_id,
            )
            summary.errors += 1
            return
        except Exception:
            session.rollback()
            raise
        for send in step.after_commit:
            send()
        summary.add(step.summary)
        if not step.more:
            return
    logger.error(
        "billing subscription %s stopped after %d steps", subscription_id, MAX_STEPS
    )
    summary.errors += 1


def _current_processor() -> Processor:
    from portal.processors import get_processor

    return get_processor()


def _lock(
    session: Session, subscription_id: int, *, skip_locked: bool
) -> Subscription | None:
    """Lock and read the subscription; None when it is gone or another runner has it."""
    statement = (
        select(Subscription)
        .where(Subscription.id == subscription_id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(skip_locked=skip_locked)
    return session.scalars(statement).first()


def _take_step(
    session: Session, processor: Processor, subscription: Subscription, as_of: date
) -> _Step:
    business = get_business(session)
    moment = subscription_now(subscription, now_utc())
    today = as_of
    if subscription.clock_at is not None:
        today = min(as_of, local_date(subscription.clock_at, business.timezone))
    step = _Step()
    context = _Context(session, processor, business, subscription, today, step)

    if subscription.status is SubscriptionStatus.SCHEDULED:
        if subscription.start_date <= today:
            _start(context)
        return step
    if subscription.status is SubscriptionStatus.PAUSED:
        _end_paused(context)
        return step
    pending = pending_charge(session, subscription)
    if pending is not None:
        # A failed or held charge is settled before anything new is billed.
        retry_at = pending.next_attempt_at
        if retry_at is not None and local_date(retry_at, business.timezone) <= today:
            _retry(context, pending, moment)
        return step
    if subscription.status not in BILLED_STATUSES:
        return step
    renews_on = subscription.next_billing_date
    if renews_on is None:
        return step
    if renews_on > today:
        if reminder_due(subscription, business, today):
            _remind(context)
        return step
    if subscription.cancel_at_period_end:
        ended_at = start_of_day(renews_on, business.timezone)
        end_subscription(
            session,
            subscription,
            SubscriptionStatus.CANCELED,
            ended_at,
            reason="period_end",
        )
        step.summary.ended += 1
        return step
    _bill_period(context, moment)
    return step


@dataclass(frozen=True, slots=True)
class _Context:
    session: Session
    processor: Processor
    business: Business
    subscription: Subscription
    today: date  # the subscription's date: the run's, or its test clock's if earlier
    step: _Step


def _end_paused(context: _Context) -> None:
    """End a paused subscription canceled at period end once its last period is over."""
    subscription = context.subscription
    ends_on = period_end(subscription)
    if not subscription.cancel_at_period_end or ends_on is None:
        return
    if ends_on > context.today:
        return
    ended_at = start_of_day(ends_on, context.business.timezone)
    end_subscription(
        context.session,
        subscription,
        SubscriptionStatus.CANCELED,
        ended_at,
        reason="period_end",
    )
    context.step.summary.ended += 1


def _start(context: _Context) -> None:
    subscription = context.subscription
    trial = (
        subscription.trial_end is not None
        and subscription.trial_end > subscription.start_date
    )
    status = SubscriptionStatus.TRIALING if trial else SubscriptionStatus.ACTIVE
    set_subscription_status(
        context.session, subscription, status, details={"reason": "start_date"}
    )
    context.step.more = True


def _bill_period(context: _Context, moment: datetime) -> None:
    """Write the next period, collect it by charge or invoice, and move the dates on."""
    session, subscription = context.session, context.subscription
    index = subscription.next_period
    anchor, frequency = subscription.anchor_date, subscription.frequency
    starts_on = billing_date(anchor, frequency, index)
    if starts_on != subscription.next_billing_date:
        logger.warning(
            "subscription %s: next billing date differs from period %s's date",
            subscription.id,
            index,
        )

    priced = period_order(subscription)
    automatic = (
        subscription.collection is CollectionMethod.AUTOMATIC or priced.amount == 0
    )
    result = None
    if automatic:
        # The processor is called before anything is written; see collection.
        result = charge_period(
            context.processor,
            subscription,
            amount=priced.amount,
            index=index,
            attempt=1,
            description=_description(subscription, starts_on),
        )

    period = SubscriptionPeriod(
        subscription=subscription,
        index=index,
        starts_on=starts_on,
        ends_on=billing_date(anchor, frequency, index + 1),
        status=None if automatic else PeriodStatus.OPEN,
        currency=subscription.currency,
        amount=priced.amount,
        credit_applied=priced.credit_applied,
        order=priced.order,
        attempts=0,
    )
    session.add(period)
    invoice = None
    if automatic:
        collection = record_charge(
            session,
            subscription,
            period,
            result,
            business=context.business,
            today=context.today,
            moment=moment,
        )
        _follow_collection(context, period, collection)
    else:
        invoice = add_period_invoice(session, subscription, period)
        if subscription.status is SubscriptionStatus.TRIALING:
            set_subscription_status(session, subscription, SubscriptionStatus.ACTIVE)

    subscription.credit_balance -= priced.credit_applied
    subscription.next_period = index + 1
    subscription.next_billing_date = billing_date(anchor, frequency, index + 1)
    _audit_new_period(session, subscription, period)
    context.step.summary.periods_billed += 1
    context.step.more = True

    if invoice is not None:
        issue_period_invoice(session, invoice)
        context.step.summary.invoiced += 1
        context.step.after_commit.append(lambda: email_invoice(session, invoice))


def _retry(context: _Context, period: SubscriptionPeriod, moment: datetime) -> None:
    """Charge a failed period again, after releasing a charge still held for it."""
    session, subscription = context.session, context.subscription
    context.step.summary.retries += 1
    held_payment = _held_payment(period)
    released = None
    if held_payment is not None:
        released = release_held_charge(context.processor, held_payment)
        if released.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
            # The customer authenticated it after all. The period follows the
            # payment here too, in case its status change was never reported.
            record_released(session, held_payment, released)
            follow_payment(session, held_payment, actor=SYSTEM)
            context.step.summary.charged += 1
            context.step.after_commit.append(lambda: notify_payment(held_payment))
            context.step.more = True
            return

    if period.attempts > len(retry_days(context.business)):
        # The last held charge was not authenticated in time.
        if held_payment is not None:
            record_released(session, held_payment, released)
        _give_up_held(context, period, held_payment, moment)
        return

    result = charge_period(
        context.processor,
        subscription,
        amount=period.amount,
        index=period.index,
        attempt=period.attempts + 1,
        description=_description(subscription, period.starts_on),
    )
    if held_payment is not None:
        record_released(session, held_payment, released)
    collection = record_charge(
        session,
        subscription,
        period,
        result,
        business=context.business,
        today=context.today,
        moment=moment,
    )
    _follow_collection(context, period, collection)
    # Once the period is collected, the periods after it may be billed.
    context.step.more = collection.status in (
        PeriodStatus.PAID,
        PeriodStatus.PROCESSING,
    )


def _held_payment(period: SubscriptionPeriod) -> Payment | None:
    """Return the period's charge that still waits for authentication, if any."""
    payment = period.payment
    if payment is not None and payment.status is PaymentStatus.REQUIRES_ACTION:
        return payment
    return None


def _give_up_held(
    context: _Context,
    period: SubscriptionPeriod,
    held_payment: Payment | None,
    moment: datetime,
) -> None:
    """Give up a period whose retries are used up, and tell the customer."""
    subscription = context.subscription
    ended = give_up(context.session, subscription, period, context.business, moment)
    reason = held_payment.failure_message if held_payment is not None else None
    failure = FailedRenewal(
        amount=period.amount,
        reason=reason,
        retry_on=None,
        final_status=subscription.status if ended else None,
    )
    collection = Collection(PeriodStatus.UNCOLLECTIBLE, failure=failure, ended=ended)
    _follow_collection(context, period, collection)


def _follow_collection(
    context: _Context, period: SubscriptionPeriod, collection: Collection
) -> None:
    """Count a charge's outcome and queue its emails for after the commit."""
    summary, after_commit = context.step.summary, context.step.after_commit
    payment = collection.payment
    if collection.status in (PeriodStatus.PAID, PeriodStatus.PROCESSING):
        summary.charged += 1
    elif collection.status is PeriodStatus.REQUIRES_ACTION:
        summary.requires_action += 1
    else:
        summary.failed += 1
    if collection.ended:
        summary.ended += 1
    if collection.receipt and payment is not None:
        after_commit.append(lambda: notify_payment(payment))
    if collection.authentication and payment is not None:
        after_commit.append(lambda: _request_authentication(payment))
    if collection.failure is not None:
        subscription, business = context.subscription, context.business
        failure = collection.failure
        after_commit.append(lambda: _send_failure(subscription, business, failure))


def _remind(context: _Context) -> None:
    """Claim the renewal reminder and send it after the commit.

    A failed email gives the claim back, so that the next run tries again.
    """
    session, subscription = context.session, context.subscription
    business, index = context.business, subscription.next_period
    previous = subscription.reminded_period
    renews_on = subscription.next_billing_date
    amount = renewal_amount(subscription)
    trial_ends = trial_ending(subscription)
    subscription.reminded_period = index

    def send() -> None:
        try:
            send_renewal_reminder(
                subscription, business, renews_on, amount, trial_ends=trial_ends
            )
        except (MailDeliveryError, MailConfigError, OSError):
            logger.exception(
                "emailing the renewal reminder of subscription %s failed",
                subscription.id,
            )
            session.execute(
                update(Subscription)
                .where(
                    Subscription.id == subscription.id,
                    Subscription.reminded_period == index,
                )
                .values(reminded_period=previous)
            )
            session.commit()
            return
        context.step.summary.reminders += 1
        logger.info(
            "renewal reminder of subscription %s period %s sent",
            subscription.id,
            index,
        )

    context.step.after_commit.append(send)


def _audit_new_period(
    session: Session, subscription: Subscription, period: SubscriptionPeriod
) -> None:
    session.flush()
    audit.record(
        session,
        subject_type="subscription_period",
        subject_id=period.id,
        action="subscription_period.created",
        actor=SYSTEM,
        to_state=period.status.value,
        details={
            "subscription": str(subscription.id),
            "index": str(period.index),
            "starts_on": period.starts_on.isoformat(),
            "amount": str(period.amount),
            "credit_applied": str(period.credit_applied),
            "currency": period.currency,
        },
    )
    logger.info(
        "period %s of subscription %s billed as %s",
        period.index,
        subscription.id,
        period.status.value,
    )


def _description(subscription: Subscription, starts_on: date) -> str:
    """Return the charge's description for the processor, naming items and date."""
    items = ", ".join(item.description for item in subscription.items)
    return f"{items} from {starts_on.isoformat()}"[:500]


def _request_authentication(payment: Payment) -> None:
    request_authentication(payment)


def _send_failure(
    subscription: Subscription, business: Business, failure: FailedRenewal
) -> None:
    try:
        send_renewal_failed(subscription, business, failure)
    except (MailDeliveryError, MailConfigError, OSError):
        logger.exception(
            "emailing the failed renewal of subscription %s failed", subscription.id
        )
        return
    logger.info("failed renewal of subscription %s emailed", subscription.id)
