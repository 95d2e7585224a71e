"""The price of one billing period: an order built from the subscription's items.

Each period is priced from the items as they are on its billing date, with
their tax rates and the subscription's discount, through the same pricing
and order-line helpers as checkouts and staff invoices. The customer's
credit balance is used up before anything is collected.
"""

from dataclasses import dataclass

from portal.discounts import as_rule
from portal.invoices.drafts import contact_billing
from portal.models import Order, Subscription
from portal.order_lines import item_line, tax_rule
from portal.pricing import DiscountRule, LineInput, price_order


@dataclass(frozen=True, slots=True)
class PricedPeriod:
    order: Order
    credit_applied: int  # minor units of credit balance used for this period
    amount: int  # minor units left to collect: the order total minus the credit

    @property
    def total(self) -> int:
        return self.order.total


def period_order(subscription: Subscription) -> PricedPeriod:
    """Price the subscription's next period and build its order, not yet added.

    The order's billing details are the contact's as they read now. Raises
    ``PricingError`` when the subscription has no items.
    """
    items = subscription.items
    lines = [
        LineInput(
            description=item.description,
            unit_amount=item.unit_amount,
            quantity=item.quantity,
            tax=tax_rule(item.tax_rate),
        )
        for item in items
    ]
    discount = subscription.discount
    order_discount = _discount_rule(subscription)
    totals = price_order(subscription.currency, lines, order_discount)
    order = Order(
        currency=totals.currency,
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        fee_total=totals.fee_total,
        tax_total=totals.tax,
        total=totals.total,
        discount_code=discount.code if order_discount else None,
        discount_id=discount.id if order_discount else None,
        custom_fields={},
        billing=contact_billing(subscription.contact),
    )
    for position, (item, line) in enumerate(zip(items, totals.lines, strict=True)):
        order.lines.append(
            item_line(position, line, price_id=item.price_id, tax_rate=item.tax_rate)
        )
    credit = min(subscription.credit_balance, totals.total)
    return PricedPeriod(
        order=order, credit_applied=credit, amount=totals.total - credit
    )


def _discount_rule(subscription: Subscription) -> DiscountRule | None:
    """Return the subscription's discount as a pricing rule, or None.

    A fixed amount off in another currency than the subscription's is left
    out, because it cannot be taken off these amounts.
    """
    discount = subscription.discount
    if discount is None:
        return None
    if discount.amount_off is not None and discount.currency != subscription.currency:
        return None
    return as_rule(discount)
