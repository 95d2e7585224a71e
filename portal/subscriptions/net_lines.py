"""The order of a net proration charge, with its tax shown per tax rate.

The proration rule works on period totals, so a net charge already contains
the tax of the items it prorates. The amount is shared among the items' tax
rates in proportion to what each rate's items cost per period after the
change. Each share gets one order line whose tax is the part of the share
that is tax, so net, tax and total add up to the prorated amount exactly.
"""

from collections.abc import Sequence
from dataclasses import replace

from portal.invoices.drafts import contact_billing
from portal.models import Order, TaxRate
from portal.models.subscriptions import Subscription, SubscriptionItem
from portal.order_lines import item_line, tax_rule
from portal.pricing import OrderTotals, PricedLine
from portal.subscriptions.proration import ItemPrice, price_items


def net_order(
    subscription: Subscription,
    items: Sequence[SubscriptionItem | ItemPrice],
    amount: int,
    label: str,
) -> Order:
    """Build the order of a net charge of ``amount`` for ``items``, not yet added.

    ``amount`` is in minor units and includes tax. ``items`` are the
    subscription's items as they are after the change.
    """
    groups = _rate_groups(subscription, items)
    shares = _split(amount, [weight for _, weight in groups])
    parts = [
        (rate, _priced_share(label, rate, share))
        for (rate, _), share in zip(groups, shares, strict=True)
        if share
    ]
    totals = OrderTotals(
        currency=subscription.currency, lines=tuple(line for _, line in parts)
    )
    order = Order(
        currency=subscription.currency,
        subtotal=totals.subtotal,
        discount_total=0,
        fee_total=0,
        tax_total=totals.tax,
        total=totals.total,
        billing=contact_billing(subscription.contact),
    )
    for position, (rate, priced) in enumerate(parts):
        line = item_line(position, priced, price_id=None, tax_rate=rate)
        line.extra = {"subscription": str(subscription.id)}
        order.lines.append(line)
    return order


def _rate_groups(
    subscription: Subscription, items: Sequence[SubscriptionItem | ItemPrice]
) -> list[tuple[TaxRate | None, int]]:
    """Return each tax rate of ``items`` with its items' total for one period."""
    totals = price_items(subscription, items)
    groups: dict[int | None, tuple[TaxRate | None, int]] = {}
    for item, line in zip(items, totals.lines, strict=True):
        rate = item.tax_rate
        key = rate.id if rate is not None else None
        _, weight = groups.get(key, (rate, 0))
        groups[key] = (rate, weight + line.total)
    if not any(weight for _, weight in groups.values()):
        # No item costs anything, so no rate can take a share of the amount.
        return [(None, 1)]
    return list(groups.values())


def _split(amount: int, weights: list[int]) -> list[int]:
    """Share ``amount`` in proportion to ``weights`` by the largest remainder."""
    whole = sum(weights)
    shares = [amount * weight // whole for weight in weights]
    remainders = [amount * weight % whole for weight in weights]
    left = amount - sum(shares)
    by_remainder = sorted(
        range(len(weights)), key=lambda index: remainders[index], reverse=True
    )
    for index in by_remainder[:left]:
        shares[index] += 1
    return shares


def _priced_share(label: str, rate: TaxRate | None, share: int) -> PricedLine:
    """Price one share of the net, which contains its tax, as a one-unit line."""
    rule = tax_rule(rate)
    tax = replace(rule, inclusive=True).tax_on(share) if rule else 0
    gross = share if rule is None or rule.inclusive else share - tax
    return PricedLine(
        description=label,
        unit_amount=gross,
        quantity=1,
        gross=gross,
        discount=0,
        tax=tax,
        tax_inclusive=bool(rule and rule.inclusive),
        tax_name=rule.name if rule else None,
    )
