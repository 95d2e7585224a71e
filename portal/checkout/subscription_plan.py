"""The subscription plan of a payment link with a recurring price, and today's charge.

The subscription starts today, on the link's start date, or after the link's
delay, and its first billing date comes after the trial when there is one.
Today's charge is the first period with the one-time items when the first
billing date is today. Otherwise it is only the one-time items, and it may be
zero. Fees go with today's charge whenever it has items.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.billing.schedule import add_months, billing_date
from portal.checkout.order import price_link
from portal.models import (
    BillingFrequency,
    Discount,
    PaymentLink,
    PaymentLinkItem,
    PriceKind,
)
from portal.pricing import OrderTotals


@dataclass(frozen=True, slots=True)
class SubscriptionPlan:
    """The dates of a subscription bought today, in the business's time zone."""

    frequency: BillingFrequency
    today: date
    start: date  # the service starts on this date
    trial_days: int | None
    trial_end: date | None  # the first billing date when there is a trial
    first_billing: date

    @property
    def charges_first_period(self) -> bool:
        """Tell whether the checkout's payment pays the first period."""
        return self.first_billing == self.today

    @property
    def starts_later(self) -> bool:
        return self.start > self.today

    def billing_date(self, n: int) -> date:
        """Return the billing date of period ``n``; period 0 is the first."""
        return billing_date(self.first_billing, self.frequency, n)


def business_today(timezone: str, now: datetime) -> date:
    """Return the date that ``now`` falls on in the business's time zone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def recurring_items(link: PaymentLink) -> list[PaymentLinkItem]:
    return [item for item in link.items if item.price.kind is PriceKind.RECURRING]


def plan_subscription(link: PaymentLink, today: date) -> SubscriptionPlan | None:
    """Return the subscription that paying ``link`` today starts, or None.

    A start date that has passed since the link was saved starts today.
    """
    recurring = recurring_items(link)
    if not recurring:
        return None
    start = today
    if link.start_on is not None:
        start = max(link.start_on, today)
    elif link.start_delay is not None and link.start_delay_unit == "months":
        start = add_months(today, link.start_delay)
    elif link.start_delay is not None:
        start = today + timedelta(days=link.start_delay)
    trial_end = None
    if link.trial_days:
        trial_end = start + timedelta(days=link.trial_days)
    return SubscriptionPlan(
        frequency=recurring[0].price.frequency,
        today=today,
        start=start,
        trial_days=link.trial_days,
        trial_end=trial_end,
        first_billing=trial_end or start,
    )


def items_charged_now(
    link: PaymentLink, plan: SubscriptionPlan | None
) -> list[PaymentLinkItem]:
    """Return the link's items that the checkout's payment charges."""
    if plan is None or plan.charges_first_period:
        return list(link.items)
    return [item for item in link.items if item.price.kind is not PriceKind.RECURRING]


def price_period(
    link: PaymentLink, quantities: dict[int, int], discount: Discount | None
) -> OrderTotals:
    """Price one period of the subscription: its recurring items, without fees.

    The discount code the buyer entered applies to every period.
    """
    return price_link(
        link, quantities, discount, recurring_items(link), with_fees=False
    )
