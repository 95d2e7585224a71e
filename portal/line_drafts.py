"""Line items and fees as staff entered them, checked and priced for an order.

Staff invoices and quotes take the same line items: a catalog price or an
entered amount, a quantity, a line discount and a tax rate, plus flat fees.
This module checks them against the catalog, turns them into
``portal.pricing`` inputs and writes the priced result into an ``Order``.
It raises ``LineDraftError``, which each caller turns into its own error.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.models import Order, Price, PriceKind, TaxRate
from portal.money import format_money
from portal.order_lines import fee_line, item_line, tax_rule
from portal.pricing import DiscountRule, FeeInput, LineInput, OrderTotals

MAX_DESCRIPTION = 300  # characters of a line item's description
MAX_FEE_DESCRIPTION = 100
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True, slots=True)
class LineDraft:
    """One line item as staff entered it; amounts in minor units.

    A line with ``price_id`` takes the product's price and, when no
    description is given, the product's name.
    """

    description: str = ""
    unit_amount: int | None = None
    quantity: int = 1
    price_id: int | None = None
    discount_percent: Decimal | None = None
    discount_amount: int | None = None
    tax_rate_id: int | None = None


@dataclass(frozen=True, slots=True)
class FeeDraft:
    description: str
    amount: int  # minor units
    tax_rate_id: int | None = None


class LineDraftError(ValueError):
    """An entered line item or fee that cannot be priced.

    ``field`` names the form field to fix, such as ``lines-0-quantity``.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# An entered line with its tax rate and catalog price, once checked.
CheckedLine = tuple[LineDraft, TaxRate | None, Price | None]
CheckedFee = tuple[FeeDraft, TaxRate | None]


def line_input(
    session: Session,
    currency: str,
    index: int,
    line: LineDraft,
    *,
    document: str,
    kind: PriceKind | None = None,
) -> tuple[LineInput, CheckedLine]:
    """Check the line at ``index`` and return its pricing input.

    ``document`` names what the line is on ("invoice", "quote") in messages.
    With ``kind``, a catalog price of another kind is rejected.
    """
    prefix = f"lines-{index}"
    price = None
    unit_amount = line.unit_amount
    description = line.description.strip()
    if line.price_id is not None:
        price = find_price(
            session,
            line.price_id,
            currency,
            f"{prefix}-price_id",
            document=document,
            kind=kind,
        )
        unit_amount = price.unit_amount
        description = description or price.product.name
    if not description:
        raise LineDraftError("Enter a description.", f"{prefix}-description")
    check_description(description, prefix)
    if unit_amount is None or unit_amount <= 0:
        raise LineDraftError("Enter a unit amount above zero.", f"{prefix}-unit_amount")
    check_quantity(line.quantity, prefix)

    tax_rate = find_tax_rate(session, line.tax_rate_id, f"{prefix}-tax_rate_id")
    pricing_input = LineInput(
        description=description,
        unit_amount=unit_amount,
        quantity=line.quantity,
        tax=tax_rule(tax_rate),
        discount=_line_discount(line, unit_amount, currency, prefix),
    )
    return pricing_input, (line, tax_rate, price)


def fee_input(
    session: Session, index: int, fee: FeeDraft
) -> tuple[FeeInput, CheckedFee]:
    """Check the fee at ``index`` and return its pricing input."""
    prefix = f"fees-{index}"
    description = fee.description.strip()
    if not description:
        raise LineDraftError("Enter a description of the fee.", f"{prefix}-description")
    if len(description) > MAX_FEE_DESCRIPTION:
        raise LineDraftError(
            f"Use at most {MAX_FEE_DESCRIPTION} characters.", f"{prefix}-description"
        )
    if fee.amount <= 0:
        raise LineDraftError("Enter a fee amount above zero.", f"{prefix}-amount")
    tax_rate = find_tax_rate(session, fee.tax_rate_id, f"{prefix}-tax_rate_id")
    pricing_input = FeeInput(
        name=description, flat_amount=fee.amount, tax=tax_rule(tax_rate)
    )
    return pricing_input, (fee, tax_rate)


def check_description(description: str, prefix: str) -> None:
    if len(description) > MAX_DESCRIPTION:
        raise LineDraftError(
            f"Use at most {MAX_DESCRIPTION} characters.", f"{prefix}-description"
        )


def check_quantity(quantity: int, prefix: str) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise LineDraftError(
            f"Enter a quantity from 1 to {MAX_QUANTITY}.", f"{prefix}-quantity"
        )


def find_price(
    session: Session,
    price_id: int,
    currency: str,
    field: str,
    *,
    document: str,
    kind: PriceKind | None = None,
) -> Price:
    """Return the active catalog price ``price_id`` in ``currency``."""
    price = session.get(Price, price_id)
    if price is None or not price.active:
        raise LineDraftError(
            f"Price {price_id} was not found. Choose a product from the list.", field
        )
    if kind is not None and price.kind is not kind:
        expected = "one-time" if kind is PriceKind.ONE_TIME else "recurring"
        raise LineDraftError(
            f"{price.product.name} has no {expected} price {price_id}. Choose it "
            f"among the {expected} line items instead.",
            field,
        )
    if price.currency != currency:
        # Only a one-time line can take an entered amount in place of a price.
        alternative = "" if kind is PriceKind.RECURRING else " or enter the amount"
        raise LineDraftError(
            f"{price.product.name} is priced in {price.currency}, but the "
            f"{document} is in {currency}. Choose a price in {currency}"
            f"{alternative}.",
            field,
        )
    return price


def find_tax_rate(
    session: Session, tax_rate_id: int | None, field: str
) -> TaxRate | None:
    """Return the active tax rate ``tax_rate_id``, or None when none was chosen."""
    if tax_rate_id is None:
        return None
    tax_rate = session.get(TaxRate, tax_rate_id)
    if tax_rate is None or not tax_rate.active:
        raise LineDraftError(
            f"Tax rate {tax_rate_id} was not found. Choose one from the list.", field
        )
    return tax_rate


def fill_order(
    order: Order,
    totals: OrderTotals,
    lines: list[CheckedLine],
    fees: list[CheckedFee],
) -> None:
    """Set an order's totals and append its item and fee lines, items first.

    ``lines`` and ``fees`` are the checked inputs in the order ``totals``
    priced them. The caller sets the bill-to details.
    """
    order.currency = totals.currency
    order.subtotal = totals.subtotal
    order.discount_total = totals.discount
    order.fee_total = totals.fee_total
    order.tax_total = totals.tax
    order.total = totals.total

    position = 0
    for (draft, tax_rate, price), line in zip(lines, totals.lines, strict=True):
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
    for (_fee, tax_rate), priced_fee in zip(fees, totals.fees, strict=True):
        order.lines.append(fee_line(position, priced_fee, tax_rate))
        position += 1


def _line_discount(
    line: LineDraft, unit_amount: int, currency: str, prefix: str
) -> DiscountRule | None:
    name = f"{prefix}-discount"
    if line.discount_percent is not None:
        if not 0 < line.discount_percent <= 100:
            raise LineDraftError("Enter a discount above 0 and up to 100%.", name)
        return DiscountRule(name="Discount", percent=line.discount_percent)
    if line.discount_amount is None:
        return None
    gross = unit_amount * line.quantity
    if line.discount_amount <= 0:
        raise LineDraftError("Enter a discount above zero, or leave it empty.", name)
    if line.discount_amount > gross:
        raise LineDraftError(
            f"The discount {format_money(line.discount_amount, currency)} is more "
            f"than the line's amount {format_money(gross, currency)}.",
            name,
        )
    return DiscountRule(name="Discount", amount_off=line.discount_amount)
