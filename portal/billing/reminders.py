"""Renewal reminders before yearly and longer renewals.

The customer is emailed ``renewal_reminder_days`` before the billing date,
once per period: ``reminded_period`` stores the index of the period whose
reminder went out, and is set before the email is sent so that two runs
never both send it.
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


def reminder_due(subscription: Subscription, business: Business, today: date) -> bool:
    """Tell whether the reminder of the coming renewal is to be sent on ``today``.

    Only renewals are announced, not the first charge after a start or a
    trial, and only while the subscription is active and set to renew. A
    renewal already due is billed instead of announced. A business setting of
    0 days sends no reminders.
    """
    renews_on = subscription.next_billing_date
    if (
        renews_on is None
        or subscription.frequency not in REMINDED_FREQUENCIES
        or subscription.status is not SubscriptionStatus.ACTIVE
        or subscription.cancel_at_period_end
        or subscription.next_period < 1
        or subscription.reminded_period == subscription.next_period
    ):
        return False
    lead = timedelta(days=business.renewal_reminder_days)
    return renews_on - lead <= today < renews_on


def renewal_amount(subscription: Subscription) -> int:
    """Return the minor units the coming renewal collects, after credit."""
    return period_order(subscription).amount
