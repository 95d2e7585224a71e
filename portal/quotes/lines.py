"""A quote's line items priced for storage: the one-time order and recurring lines.

One-time lines, fees and the optional catalog discount are priced with
``portal.pricing`` into an ``Order``, exactly as staff invoices are. Recurring
lines take their unit amount from a recurring catalog price and are stored
with the quote until acceptance starts them as subscriptions.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.discounts import as_rule
from portal.invoices.drafts import contact_billing
from portal.line_drafts import (
    CheckedFee,
    CheckedLine,
    FeeDraft,
    LineDraft,
    LineDraftError,
    check_description,
    check_quantity,
    fee_input,
    find_price,
    find_tax_rate,
    line_input,
)
from portal.line_drafts import fill_order as fill_order_lines
from portal.models import (
    Contact,
    Discount,
    Order,
    PriceKind,
    QuoteRecurringLine,
)
from portal.money import format_money
from portal.pricing import DiscountRule, OrderTotals, PricingError, price_order
from portal.processors.base import MAX_AMOUNT
from portal.quotes.errors import QuoteError

MAX_LINES = 50


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
    lines: list[CheckedLine]
    fees: list[CheckedFee]
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

    try:
        checked = [
            line_input(
                session, currency, i, line, document="quote", kind=PriceKind.ONE_TIME
            )
            for i, line in enumerate(lines)
        ]
        checked_fees = [fee_input(session, i, fee) for i, fee in enumerate(fees)]
    except LineDraftError as error:
        raise QuoteError(str(error), error.field) from error
    discount = _order_discount(session, currency, discount_id)
    try:
        totals = price_order(
            currency,
            [pricing_input for pricing_input, _source in checked],
            order_discount=discount,
            fees=[pricing_input for pricing_input, _source in checked_fees],
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

    try:
        recurring_lines = [
            _recurring_line(session, currency, position, draft)
            for position, draft in enumerate(recurring)
        ]
    except LineDraftError as error:
        raise QuoteError(str(error), error.field) from error
    return PricedLines(
        totals=totals,
        lines=[source for _input, source in checked],
        fees=[source for _input, source in checked_fees],
        recurring=recurring_lines,
    )


def fill_order(order: Order, priced: PricedLines, contact: Contact) -> None:
    """Set an order's totals, bill-to details and lines from priced quote lines."""
    fill_order_lines(order, priced.totals, priced.lines, priced.fees)
    order.billing = contact_billing(contact)


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
    price = find_price(
        session,
        draft.price_id,
        currency,
        f"{prefix}-price_id",
        document="quote",
        kind=PriceKind.RECURRING,
    )
    description = draft.description.strip() or price.product.name
    check_description(description, prefix)
    check_quantity(draft.quantity, prefix)
    tax_rate = find_tax_rate(session, draft.tax_rate_id, f"{prefix}-tax_rate_id")
    return QuoteRecurringLine(
        position=position,
        price=price,
        description=description,
        quantity=draft.quantity,
        unit_amount=price.unit_amount,
        tax_rate=tax_rate,
    )
