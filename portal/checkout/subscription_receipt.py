"""The subscription part of a checkout's receipt page and receipt email.

Strings go through gettext, so build the summary in the buyer's locale.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from portal.checkout.recurrence_text import every_interval, long_date
from portal.discounts import as_rule
from portal.models import Subscription, SubscriptionStatus
from portal.money import format_money
from portal.order_lines import tax_rule
from portal.pricing import LineInput, price_order
from portal.urls import public_url

ACCOUNT_PATH = "/account/"


@dataclass(frozen=True, slots=True)
class SubscriptionSummary:
    recurs: str  # such as "€12.00 every month"
    next_billing: str | None  # the next billing date, None once it ends
    starts: str | None  # the start date, while the subscription is scheduled
    trial_end: str | None
    account_url: str  # the customer account area, where it is managed


def period_amount(subscription: Subscription) -> int:
    """Return the minor units of one period: the items with tax, less the discount.

    The credit balance is not taken off, so this is the subscription's price.
    """
    lines = [
        LineInput(
            description=item.description,
            unit_amount=item.unit_amount,
            quantity=item.quantity,
            tax=tax_rule(item.tax_rate),
        )
        for item in subscription.items
    ]
    discount = subscription.discount
    rule = None
    if discount is not None and (
        discount.amount_off is None or discount.currency == subscription.currency
    ):
        rule = as_rule(discount)
    return price_order(subscription.currency, lines, rule).total


def summarise_subscription(
    subscription: Subscription, locale: str
) -> SubscriptionSummary:
    """Describe what recurs and when, for the receipt in ``locale``."""
    amount = format_money(period_amount(subscription), subscription.currency, locale)
    next_billing = None
    if subscription.next_billing_date is not None:
        next_billing = long_date(subscription.next_billing_date, locale)
    starts = None
    if subscription.status is SubscriptionStatus.SCHEDULED:
        starts = long_date(subscription.start_date, locale)
    trial_end = None
    if subscription.trial_end is not None:
        trial_end = long_date(subscription.trial_end, locale)
    return SubscriptionSummary(
        recurs=_(
            "%(amount)s %(interval)s",
            amount=amount,
            interval=every_interval(subscription.frequency),
        ),
        next_billing=next_billing,
        starts=starts,
        trial_end=trial_end,
        account_url=public_url(ACCOUNT_PATH),
    )
