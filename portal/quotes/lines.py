"""A quote's line items priced for storage: the one-time order and recurring lines.

One-time lines, fees and the optional catalog discount are priced with
``portal.pricing`` into an ``Order``, exactly as staff invoices are. Recurring
lines take their unit amount from a recurring catalog price and are stored
with the quote until acceptance starts them as subscriptions.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.discounts import as_rule
from portal.invoices.drafts import FeeDraft, LineDraft, contact_billing
from portal.models import (
    Contact,
    Discount,
    Order,
    Price,
    PriceKind,
    QuoteRecurringLine,
    TaxRate,
)
from portal.money import format_money
from portal.order_lines import fee_line, item_line, tax_rule
from portal.pricing import (
    DiscountRule,
    FeeInput,
    LineInput,
    OrderTotals,
    PricingError,
    price_order,
)
from portal.processors.base import MAX_AMOUNT
from portal.quotes.errors import QuoteError

MAX_LINES = 50
MAX_DESCRIPTION = 300
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True, slots=True)
class RecurringDraft:
    """A recurring catalog price on a quote, as staff entered it."""

    price_id: int
    quantity: int = 1
    description: str = ""  # the product's name when empty
    tax_rate_id: int | None = None


@dataclass(frozen=True, slots=True)
class PricedLines:
    totals: OrderTotals
    # Each entered line and fee with its tax rate and price, in the totals' order.
    lines: list[tuple[LineDraft, TaxRate | None, Price | None]]
    fees: list[tuple[FeeDraft, TaxRate | None]]
    recurring: list[QuoteRecurringLine]


def price_lines(
    session: Session,
    currency: str,
    lines: tuple[LineDraft, ...],
    fees: tuple[FeeDraft, ...],
    recurring: tuple[RecurringDraft, ...],
    discount_id: int | None,
) -> PricedLines:
    """Check the entered lines against the catalog and price them.

    Raises ``QuoteError`` naming the field to fix.
    """
    if not lines and not recurring:
        raise QuoteError("Add at least one one-time or recurring line item.", "lines")
    if len(lines) + len(recurring) > MAX_LINES:
        raise QuoteError(f"A quote has at most {MAX_LINES} line items.", "lines")

    checked = [_line_input(session, currency, i, line) for i, line in enumerate(lines)]
    checked_fees = [_fee_input(session, i, fee) for i, fee in enumerate(fees)]
    discount = _order_discount(session, currency, discount_id)
    try:
        totals = price_order(
            currency,
            [line_input for line_input, _source in checked],
            order_discount=discount,
            fees=[fee_input for fee_input, _source in checked_fees],
        )
    except PricingError as error:
        raise QuoteError(str(error), "lines") from error
    if totals.total > MAX_AMOUNT:
        limit = format_money(MAX_AMOUNT, currency)
        raise QuoteError(
            f"The one-time total is above {limit}, the most one payment can be. "
            "Split the quote in two.",
            "lines",
        )

    recurring_lines = [
        _recurring_line(session, currency, position, draft)
        for position, draft in enumerate(recurring)
    ]
    return PricedLines(
        totals=totals,
        lines=[source for _input, source in checked],
        fees=[source for _input, source in checked_fees],
        recurring=recurring_lines,
    )


def fill_order(order: Order, priced: PricedLines, contact: Contact) -> None:
    """Set an order's totals, bill-to details and lines from priced quote lines."""
    totals = priced.totals
    order.currency = totals.currency
    order.subtotal = totals.subtotal
    order.discount_total = totals.discount
    order.fee_total = totals.fee_total
    order.tax_total = totals.tax
    order.total = totals.total
    order.billing = contact_billing(contact)

    position = 0
    for (draft, tax_rate, price), line in zip(priced.lines, totals.lines, strict=True):
        order.lines.append(
            item_line(
                position,
                line,
                price_id=price.id if price else None,
                tax_rate=tax_rate,
                discount_percent=draft.discount_percent,
            )
        )
        position += 1
    for (_fee, tax_rate), priced_fee in zip(priced.fees, totals.fees, strict=True):
        order.lines.append(fee_line(position, priced_fee, tax_rate))
        position += 1


def _line_input(
    session: Session, currency: str, index: int, line: LineDraft
) -> tuple[LineInput, tuple[LineDraft, TaxRate | None, Price | None]]:
    prefix = f"lines-{index}"
    price = None
    unit_amount = line.unit_amount
    description = line.description.strip()
    if line.price_id is not None:
        price = _price(session, line.price_id, currency, PriceKind.ONE_TIME, prefix)
        unit_amount = price.unit_amount
        description = description or price.product.name
    if not description:
        raise QuoteError("Enter a description.", f"{prefix}-description")
    if len(description) > MAX_DESCRIPTION:
        raise QuoteError(
            f"Use at most {MAX_DESCRIPTION} characters.", f"{prefix}-description"
        )
    if unit_amount is None or unit_amount <= 0:
        raise QuoteError("Enter a unit amount above zero.", f"{prefix}-unit_amount")
    if not 1 <= line.quantity <= MAX_QUANTITY:
        raise QuoteError(
            f"Enter a quantity from 1 to {MAX_QUANTITY}.", f"{prefix}-quantity"
        )

    tax_rate = _tax_rate(session, line.tax_rate_id, f"{prefix}-tax_rate_id")
    line_input = LineInput(
        description=description,
        unit_amount=unit_amount,
        quantity=line.quantity,
        tax=tax_rule(tax_rate),
        discount=_line_discount(line, unit_amount, currency, prefix),
    )
    return line_input, (line, tax_rate, price)


def _line_discount(
    line: LineDraft, unit_amount: int, currency: str, prefix: str
) -> DiscountRule | None:
    name = f"{prefix}-discount"
    if line.discount_percent is not None:
        if not 0 < line.discount_percent <= 100:
            raise QuoteError("Enter a discount above 0 and up to 100%.", name)
        return DiscountRule(name="Discount", percent=line.discount_percent)
    if line.discount_amount is None:
        return None
    gross = unit_amount * line.quantity
    if line.discount_amount <= 0:
        raise QuoteError("Enter a discount above zero, or leave it empty.", name)
    if line.discount_amount > gross:
        raise QuoteError(
            f"The discount {format_money(line.discount_amount, currency)} is more "
            f"than the line's amount {format_money(gross, currency)}.",
            name,
        )
    return DiscountRule(name="Discount", amount_off=line.discount_amount)


def _fee_input(
    session: Session, index: int, fee: FeeDraft
) -> tuple[FeeInput, tuple[FeeDraft, TaxRate | None]]:
    prefix = f"fees-{index}"
    description = fee.description.strip()
    if not description:
        raise QuoteError("Enter a description of the fee.", f"{prefix}-description")
    if len(description) > 100:
        raise QuoteError("Use at most 100 characters.", f"{prefix}-description")
    if fee.amount <= 0:
        raise QuoteError("Enter a fee amount above zero.", f"{prefix}-amount")
    tax_rate = _tax_rate(session, fee.tax_rate_id, f"{prefix}-tax_rate_id")
    fee_input = FeeInput(
        name=description, flat_amount=fee.amount, tax=tax_rule(tax_rate)
    )
    return fee_input, (fee, tax_rate)


def _order_discount(
    session: Session, currency: str, discount_id: int | None
) -> DiscountRule | None:
    if discount_id is None:
        return None
    discount = session.get(Discount, discount_id)
    if discount is None or not discount.active:
        raise QuoteError(
            f"Discount {discount_id} was not found. Choose one from the list.",
            "discount_id",
        )
    if discount.amount_off is not None and discount.currency != currency:
        raise QuoteError(
            f"{discount.name} takes an amount off in {discount.currency}, but the "
            f"quote is in {currency}. Choose a percent discount or another currency.",
            "discount_id",
        )
    return as_rule(discount)


def _recurring_line(
    session: Session, currency: str, position: int, draft: RecurringDraft
) -> QuoteRecurringLine:
    prefix = f"recurring-{position}"
    price = _price(session, draft.price_id, currency, PriceKind.RECURRING, prefix)
    description = draft.description.strip() or price.product.name
    if len(description) > MAX_DESCRIPTION:
        raise QuoteError(
            f"Use at most {MAX_DESCRIPTION} characters.", f"{prefix}-description"
        )
    if not 1 <= draft.quantity <= MAX_QUANTITY:
        raise QuoteError(
            f"Enter a quantity from 1 to {MAX_QUANTITY}.", f"{prefix}-quantity"
        )
    tax_rate = _tax_rate(session, draft.tax_rate_id, f"{prefix}-tax_rate_id")
    return QuoteRecurringLine(
        position=position,
        price=price,
        description=description,
        quantity=draft.quantity,
        unit_amount=price.unit_amount,
        tax_rate=tax_rate,
    )


def _price(
    session: Session, price_id: int, currency: str, kind: PriceKind, prefix: str
) -> Price:
    name = f"{prefix}-price_id"
    price = session.get(Price, price_id)
    if price is None or not price.active:
        raise QuoteError(
            f"Price {price_id} was not found. Choose a product from the list.", name
        )
    if price.kind is not kind:
        expected = "one-time" if kind is PriceKind.ONE_TIME else "recurring"
        raise QuoteError(
            f"{price.product.name} has no {expected} price {price_id}. Choose it "
            f"among the {expected} line items instead.",
            name,
        )
    if price.currency != currency:
        raise QuoteError(
            f"{price.product.name} is priced in {price.currency}, but the quote is "
            f"in {currency}. Choose a price in {currency}.",
            name,
        )
    return price


def _tax_rate(session: Session, tax_rate_id: int | None, name: str) -> TaxRate | None:
    if tax_rate_id is None:
        return None
    tax_rate = session.get(TaxRate, tax_rate_id)
    if tax_rate is None or not tax_rate.active:
        raise QuoteError(
            f"Tax rate {tax_rate_id} was not found. Choose one from the list.", name
        )
    return tax_rate
