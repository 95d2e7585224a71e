"""Labels and amounts that the account area shows a customer about a subscription."""

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import gettext as _

from portal.billing.pricing import period_order
from portal.billing.states import PENDING_CHARGE, period_end
from portal.documents.facts import card_brand_name, local_date
from portal.documents.summary import OrderSummary, summarise_order
from portal.models import (
    BillingFrequency,
    PeriodStatus,
    SavedPaymentMethod,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from portal.order_lines import tax_rule
from portal.pricing import DiscountRule, LineInput, price_order


def frequency_label(frequency: BillingFrequency) -> str:
    labels = {
        BillingFrequency.WEEKLY: _("every week"),
        BillingFrequency.BIWEEKLY: _("every two weeks"),
        BillingFrequency.MONTHLY: _("every month"),
        BillingFrequency.QUARTERLY: _("every three months"),
        BillingFrequency.SEMIANNUALLY: _("every six months"),
        BillingFrequency.YEARLY: _("every year"),
        BillingFrequency.EVERY_2_YEARS: _("every 2 years"),
        BillingFrequency.EVERY_3_YEARS: _("every 3 years"),
        BillingFrequency.EVERY_4_YEARS: _("every 4 years"),
        BillingFrequency.EVERY_5_YEARS: _("every 5 years"),
    }
    return labels[frequency]


def status_label(subscription: Subscription) -> str:
    """Name the status. A cancel at period end is shown by its "Cancels on" date."""
    labels = {
        SubscriptionStatus.SCHEDULED: _("Starts later"),
        SubscriptionStatus.TRIALING: _("Trial"),
        SubscriptionStatus.ACTIVE: _("Active"),
        SubscriptionStatus.PAST_DUE: _("Payment failed"),
        SubscriptionStatus.PAUSED: _("Paused"),
        SubscriptionStatus.UNPAID: _("Unpaid"),
        SubscriptionStatus.CANCELED: _("Canceled"),
    }
    return labels[subscription.status]


def method_label(method: SavedPaymentMethod | None) -> str | None:
    """Name a saved method as "Visa ending in 4242", or None without one."""
    if method is None or method.removed_at is not None:
        return None
    if method.kind == "bank_debit":
        return _("Bank debit ending in %(last4)s", last4=method.last4 or "····")
    return _(
        "%(brand)s ending in %(last4)s",
        brand=card_brand_name(method.brand),
        last4=method.last4 or "····",
    )


def next_charge_amount(subscription: Subscription) -> int:
    """Estimate the minor units of the next bill: items, discount, tax, less credit.

    NOTE: this prices the items the way an order is priced. The billing run
    decides the real amount, which can differ after a change with proration.
    """
    unit_amounts = [item.unit_amount for item in subscription.items]
    total = _period_total(subscription, unit_amounts)
    return max(total - subscription.credit_balance, 0)


def period_price_summary(
    subscription: Subscription, locale: str
) -> OrderSummary | None:
    """Summarise one period's price as a bill shows it: subtotal, discount, tax, total.

    The order is priced like the billing run's, but not saved. None when the
    subscription has no items.
    """
    if not subscription.items:
        return None
    return summarise_order(period_order(subscription).order, locale)


def resubscribe_amount(subscription: Subscription) -> int:
    """Return the minor units per period of a new subscription to the same items.

    Resubscribing starts from the catalog's current prices, so this prices
    each item at its price's unit amount today, with the same discount and tax.
    """
    unit_amounts = [item.price.unit_amount for item in subscription.items]
    return _period_total(subscription, unit_amounts)


def _period_total(subscription: Subscription, unit_amounts: list[int]) -> int:
    lines = [
        LineInput(
            description=item.description,
            unit_amount=unit_amount,
            quantity=item.quantity,
            tax=tax_rule(item.tax_rate),
        )
        for item, unit_amount in zip(subscription.items, unit_amounts, strict=True)
    ]
    if not lines:
        return 0
    totals = price_order(subscription.currency, lines, _discount_rule(subscription))
    return totals.total


def _discount_rule(subscription: Subscription) -> DiscountRule | None:
    discount = subscription.discount
    if discount is None:
        return None
    if discount.percent is not None:
        return DiscountRule(name=discount.name, percent=discount.percent)
    if discount.currency != subscription.currency:
        return None
    return DiscountRule(name=discount.name, amount_off=discount.amount_off)


@dataclass(frozen=True, slots=True)
class SubscriptionSummary:
    subscription: Subscription
    status: str
    recurs: str  # the items, such as "Yoga membership, Locker (2)"
    frequency: str
    next_billing_on: str | None  # long date in the customer's locale
    next_amount: int | None  # minor units
    # After a cancel at period end, the date the subscription cancels on: the
    # first day without service, shown as "Cancels on".
    ends_on: str | None
    method: str | None


def summarise(subscription: Subscription, locale: str) -> SubscriptionSummary:
    renews = subscription.renews and subscription.next_billing_date is not None
    return SubscriptionSummary(
        subscription=subscription,
        status=status_label(subscription),
        recurs=", ".join(_item_label(item) for item in subscription.items),
        frequency=frequency_label(subscription.frequency),
        next_billing_on=_long_date(subscription.next_billing_date, locale)
        if renews
        else None,
        next_amount=next_charge_amount(subscription) if renews else None,
        ends_on=_long_date(period_end(subscription), locale)
        if subscription.cancel_at_period_end
        else None,
        method=method_label(subscription.saved_method),
    )


def _item_label(item: SubscriptionItem) -> str:
    if item.quantity == 1:
        return item.description
    return _("%(item)s (%(quantity)d)", item=item.description, quantity=item.quantity)


def _long_date(day: date | None, locale: str) -> str | None:
    return format_date(day, "long", locale=locale) if day else None


def paused_since(subscription: Subscription, timezone: str, locale: str) -> str | None:
    """Return the long date a paused subscription was paused on, or None."""
    if subscription.status is not SubscriptionStatus.PAUSED:
        return None
    if subscription.paused_at is None:
        return None
    return local_date(subscription.paused_at, timezone, locale)


@dataclass(frozen=True, slots=True)
class UnpaidCharge:
    """A billed period whose charge failed or waits for the customer's approval."""

    amount: int  # minor units
    period_starts_on: str  # long date in the customer's locale
    retry_on: str | None  # long date of the next attempt, in the business's zone
    needs_approval: bool  # the bank asked the customer to authenticate the charge


def unpaid_charge(
    subscription: Subscription, locale: str, timezone: str
) -> UnpaidCharge | None:
    """Describe the oldest period whose charge is still being collected, if any."""
    pending = [
        period for period in subscription.periods if period.status in PENDING_CHARGE
    ]
    if not pending:
        return None
    period = min(pending, key=lambda found: found.index)
    retry_on = None
    if period.next_attempt_at is not None:
        retry_on = local_date(period.next_attempt_at, timezone, locale)
    return UnpaidCharge(
        amount=period.amount,
        period_starts_on=_long_date(period.starts_on, locale),
        retry_on=retry_on,
        needs_approval=period.status is PeriodStatus.REQUIRES_ACTION,
    )
