"""Renewal reminders before yearly and longer renewals.

The customer is emailed ``renewal_reminder_days`` before the billing date,
once per period: ``reminded_period`` stores the index of the period whose
reminder went out, and is set before the email is sent so that two runs
never both send it. The first charge after a free trial (period 0) is
announced the same way as a renewal.
"""

from datetime import date, timedelta

from portal.billing.pricing import period_order
from portal.models import BillingFrequency, Business, Subscription, SubscriptionStatus

# Frequencies whose renewals are announced ahead, being a year or more apart.
REMINDED_FREQUENCIES = frozenset(
    {
        BillingFrequency.YEARLY,
        BillingFrequency.EVERY_2_YEARS,
        BillingFrequency.EVERY_3_YEARS,
        BillingFrequency.EVERY_4_YEARS,
        BillingFrequency.EVERY_5_YEARS,
    }
)

# Statuses in which a coming charge may be announced: renewals of an active
# subscription, and the first charge at the end of a trial.
REMINDED_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)


def reminder_due(subscription: Subscription, business: Business, today: date) -> bool:
    """Return whether the reminder of the coming charge is due on ``today``.

    Renewals of an active subscription and the first charge after a trial
    are announced, but not the first charge after a start without a trial.
    Only a subscription set to renew is reminded. A charge already due is
    billed instead of announced. A business setting of 0 days sends no
    reminders.
    """
    renews_on = subscription.next_billing_date
    if (
        renews_on is None
        or subscription.frequency not in REMINDED_FREQUENCIES
        or not _announced(subscription)
        or subscription.cancel_at_period_end
        or subscription.reminded_period == subscription.next_period
    ):
        return False
    lead = timedelta(days=business.renewal_reminder_days)
    return renews_on - lead <= today < renews_on


def trial_ending(subscription: Subscription) -> bool:
    """Return whether the coming charge is the first one, at the end of a trial."""
    return (
        subscription.status is SubscriptionStatus.TRIALING
        and subscription.next_period == 0
    )


def _announced(subscription: Subscription) -> bool:
    if subscription.status is SubscriptionStatus.ACTIVE:
        return subscription.next_period >= 1
    return trial_ending(subscription)


def renewal_amount(subscription: Subscription) -> int:
    """Return the minor units the coming renewal collects, after credit."""
    return period_order(subscription).amount
