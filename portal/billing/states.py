"""Status changes of subscriptions and their periods, each with an audit row.

The billing run, the payment and invoice hooks and the back office all move
statuses through these functions, so that every change of what a customer
owes or has paid leaves the same trail.
"""

import logging
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.documents.facts import business_zone
from portal.models import (
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)

logger = logging.getLogger(__name__)

SYSTEM = "system"

# Periods whose money is still being collected by charging the saved method.
PENDING_CHARGE = (PeriodStatus.FAILED, PeriodStatus.REQUIRES_ACTION)


def period_end(subscription: Subscription) -> date | None:
    """Return the day the current period ends, which is the first day without service.

    That is the last billed period's end, or before the first bill the next
    billing date, or the trial's end while a trial is paused. A subscription
    canceled at period end stops on this day.
    """
    if subscription.periods:
        return subscription.periods[-1].ends_on
    return subscription.next_billing_date or subscription.trial_end


def start_of_day(day: date, timezone: str) -> datetime:
    """Return 00:00 of ``day`` in the business's time zone, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=business_zone(timezone))


def local_date(moment: datetime, timezone: str) -> date:
    """Return the calendar date of ``moment`` in the business's time zone."""
    return moment.astimezone(business_zone(timezone)).date()


def set_subscription_status(
    session: Session,
    subscription: Subscription,
    status: SubscriptionStatus,
    *,
    actor: str = SYSTEM,
    details: dict[str, str] | None = None,
) -> None:
    """Move a subscription to ``status`` and audit it; the same status is a no-op."""
    previous = subscription.status
    if previous is status:
        return
    subscription.status = status
    session.flush()
    audit.record(
        session,
        subject_type="subscription",
        subject_id=subscription.id,
        action="subscription.status_changed",
        actor=actor,
        from_state=previous.value,
        to_state=status.value,
        details=details,
    )
    logger.info(
        "subscription %s moved from %s to %s",
        subscription.id,
        previous.value,
        status.value,
    )


def set_period_status(
    session: Session,
    period: SubscriptionPeriod,
    status: PeriodStatus,
    *,
    actor: str = SYSTEM,
    details: dict[str, str] | None = None,
) -> None:
    """Move a period to ``status`` and audit it; the same status is a no-op."""
    previous = period.status
    if previous is status:
        return
    period.status = status
    session.flush()
    audit.record(
        session,
        subject_type="subscription_period",
        subject_id=period.id,
        action="subscription_period.status_changed",
        actor=actor,
        from_state=previous.value,
        to_state=status.value,
        details={"subscription": str(period.subscription_id), **(details or {})},
    )
    logger.info(
        "period %s of subscription %s moved from %s to %s",
        period.id,
        period.subscription_id,
        previous.value,
        status.value,
    )


def pending_charge(
    session: Session, subscription: Subscription
) -> SubscriptionPeriod | None:
    """Return the period whose failed or held charge is still being retried."""
    return session.scalars(
        select(SubscriptionPeriod)
        .where(
            SubscriptionPeriod.subscription_id == subscription.id,
            SubscriptionPeriod.status.in_(PENDING_CHARGE),
        )
        .order_by(SubscriptionPeriod.index)
    ).first()


def settle_period(
    session: Session,
    period: SubscriptionPeriod,
    paid_at: datetime,
    *,
    actor: str = SYSTEM,
) -> None:
    """Mark a period paid and make a past-due subscription active again.

    The subscription stays past due while another of its periods is still
    being retried.
    """
    set_period_status(session, period, PeriodStatus.PAID, actor=actor)
    period.paid_at = paid_at
    period.next_attempt_at = None
    subscription = period.subscription
    if subscription.status is not SubscriptionStatus.PAST_DUE:
        return
    session.flush()
    if pending_charge(session, subscription) is None:
        set_subscription_status(
            session, subscription, SubscriptionStatus.ACTIVE, actor=actor
        )


def end_subscription(
    session: Session,
    subscription: Subscription,
    status: SubscriptionStatus,
    ended_at: datetime,
    *,
    actor: str = SYSTEM,
    reason: str,
) -> None:
    """Stop billing a subscription: canceled ends it, unpaid keeps it on record.

    ``reason`` names why, such as "period_end" or "retries_exhausted", in
    the audit row. A canceled subscription loses its next billing date. An
    unpaid one keeps it, so that it shows where billing would go on, but the
    billing run no longer bills it.
    """
    if status is SubscriptionStatus.CANCELED:
        subscription.canceled_at = subscription.canceled_at or ended_at
        subscription.ended_at = ended_at
        subscription.next_billing_date = None
    set_subscription_status(
        session, subscription, status, actor=actor, details={"reason": reason}
    )
