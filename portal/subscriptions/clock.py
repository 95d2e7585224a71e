"""The test clock: move one subscription's time forward and bill what falls due.

Only for the test-mode processor or Stripe's test mode, so that staff can
watch renewals, failed charges and retries happen. The clock moves one day
at a time, to noon of each day in the business's time zone, and the
billing run's ``bill_subscription`` bills that day, exactly as a daily
``billing run`` would.
"""

import logging
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from portal.billing.renewals import bill_subscription
from portal.billing.schedule import billing_date
from portal.billing.states import start_of_day
from portal.billing.summary import RunSummary
from portal.businesses import get_business
from portal.models.subscriptions import Subscription
from portal.processors.base import Processor
from portal.subscriptions.actions import (
    lock_subscription,
    record_action,
    subscription_today,
)
from portal.subscriptions.errors import SubscriptionError

logger = logging.getLogger(__name__)

# The clock moves at most this many days per request: five years, the
# longest billing interval, plus a leap day.
MAX_DAYS = 5 * 365 + 2
# The time of day the clock stops at, in the business's time zone, so that
# retries scheduled for the start of a day are due.
CLOCK_TIME = timedelta(hours=12)


def one_period_ahead(
    session: Session, subscription: Subscription, now: datetime
) -> date:
    """Return the date one period ahead: the next billing date, or one interval on."""
    today = subscription_today(session, subscription, now)
    if subscription.next_billing_date and subscription.next_billing_date > today:
        return subscription.next_billing_date
    return billing_date(today, subscription.frequency, 1)


def advance_clock(
    session: Session,
    subscription: Subscription,
    *,
    to: date,
    actor: str,
    now: datetime,
    processor: Processor | None = None,
    client_address: str | None = None,
) -> RunSummary:
    """Move the clock day by day to noon of ``to``, billing each day; commits.

    Raises ``SubscriptionError`` for a date that is not after the
    subscription's current date or more than ``MAX_DAYS`` ahead.
    """
    timezone = get_business(session).timezone
    current = subscription_today(session, subscription, now)
    if to <= current:
        raise SubscriptionError(
            f"Choose a date after {current.isoformat()}, the subscription's "
            "current date.",
            "clock_to",
        )
    if (to - current).days > MAX_DAYS:
        latest = current + timedelta(days=MAX_DAYS)
        raise SubscriptionError(
            f"The clock moves at most {MAX_DAYS} days at a time. Choose a date up "
            f"to {latest.isoformat()}.",
            "clock_to",
        )

    summary = RunSummary()
    day = current
    while day < to:
        day += timedelta(days=1)
        lock_subscription(session, subscription)
        subscription.clock_at = start_of_day(day, timezone) + CLOCK_TIME
        session.commit()
        summary.add(bill_subscription(session, subscription, day, processor=processor))

    lock_subscription(session, subscription)
    record_action(
        session,
        subscription,
        "subscription.clock_advanced",
        actor=actor,
        client_address=client_address,
        details={
            "from": current.isoformat(),
            "to": to.isoformat(),
            "summary": summary.line(),
        },
    )
    session.commit()
    logger.info("test clock of subscription %s advanced", subscription.id)
    return summary
