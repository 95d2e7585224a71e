"""Pricing a payment link for the quantities and code a buyer chose."""

from collections.abc import Sequence
from dataclasses import fields

from portal.contacts import ContactDetails
from portal.discounts import as_rule
from portal.models import (
    BillingDetails,
    Discount,
    Fee,
    Order,
    PaymentLink,
    PaymentLinkItem,
)
from portal.order_lines import fee_line, item_line, tax_rule
from portal.pricing import (
    FeeInput,
    LineInput,
    OrderTotals,
    PricingError,
    price_order,
)


def fee_input(fee: Fee, currency: str) -> FeeInput:
    """Turn a fee into pricing input; a flat fee must be in the order's currency."""
    if fee.flat_amount is not None and fee.currency != currency:
        raise PricingError(
            f"Fee {fee.name!r} is in {fee.currency}, but the order is in {currency}."
        )
    return FeeInput(
        name=fee.name,
        flat_amount=fee.flat_amount,
        percent=fee.percent,
        tax=tax_rule(fee.tax_rate),
    )


def price_link(
    link: PaymentLink,
    quantities: dict[int, int],
    discount: Discount | None,
    items: Sequence[PaymentLinkItem] | None = None,
    *,
    with_fees: bool = True,
) -> OrderTotals:
    """Price the link's items at the given quantities (item id -> quantity).

    Items missing from ``quantities`` use the link's own quantity. ``items``
    prices only some of the link's items, such as those charged at checkout
    when a subscription starts later. No items cost nothing, fees included.
    Totals are always computed here on the server, never taken from the form.
    """
    chosen = link.items if items is None else items
    if not chosen:
        return OrderTotals(currency=link.currency, lines=())
    lines = [
        LineInput(
            description=item.price.product.name,
            unit_amount=item.price.unit_amount,
            quantity=quantities.get(item.id, item.quantity),
            tax=tax_rule(item.tax_rate),
            discount=as_rule(item.discount) if item.discount else None,
        )
        for item in chosen
    ]
    fees = [fee_input(fee, link.currency) for fee in link.fees] if with_fees else []
    return price_order(
        link.currency,
        lines,
        order_discount=as_rule(discount) if discount else None,
        fees=fees,
    )


def build_order(
    link: PaymentLink,
    totals: OrderTotals,
    discount: Discount | None,
    custom_answers: dict[str, str],
    buyer: ContactDetails | None = None,
    items: Sequence[PaymentLinkItem] | None = None,
) -> Order:
    """Turn priced totals into an Order with its lines, ready to be added.

    ``items`` are the link's items that ``totals`` priced, all by default.
    The buyer's details are copied onto the order as its billing details. A
    preview that prices the checkout page has no buyer.
    """
    order = Order(
        currency=totals.currency,
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        fee_total=totals.fee_total,
        tax_total=totals.tax,
        total=totals.total,
        discount_code=discount.code if discount else None,
        discount_id=discount.id if discount else None,
        custom_fields=custom_answers,
        billing=billing_details(buyer) if buyer is not None else None,
    )
    position = 0
    chosen = link.items if items is None else items
    for item, line in zip(chosen, totals.lines, strict=True):
        order.lines.append(
            item_line(position, line, price_id=item.price_id, tax_rate=item.tax_rate)
        )
        position += 1
    # An order without items has no fees either; see price_link.
    fees = link.fees if totals.lines else []
    for fee, priced in zip(fees, totals.fees, strict=True):
        order.lines.append(fee_line(position, priced, fee.tax_rate))
        position += 1
    return order


def billing_details(buyer: ContactDetails) -> BillingDetails:
    """Copy the details a buyer submitted, with blank fields as None.

    Billing fields that the checkout does not ask for, such as the tax ID,
    stay None.
    """
    values = {}
    for field in fields(BillingDetails):
        value = getattr(buyer, field.name, None) or ""
        values[field.name] = value.strip() or None
    return BillingDetails(**values)
