"""Totals of an order: line items, discounts, fees and taxes.

Order of work, per line: gross = unit amount x quantity; the line's own
discount and then the order discount come off; tax is computed on what is
left (discounts come off before tax). Fees are added after the goods, a
percent fee on the goods after discounts, and are taxed on their own when
they carry a tax rate. Every calculated amount is rounded half-up per line
with ``money.round_minor``; totals are sums of rounded lines, so the page,
the PDF, the email and the processor all see the same integers.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from portal.money import round_minor

HUNDRED = Decimal(100)


class PricingError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class TaxRule:
    name: str
    percent: Decimal
    inclusive: bool = False

    def __post_init__(self) -> None:
        if not (0 <= self.percent <= HUNDRED):
            raise PricingError(
                f"Tax rate {self.percent}% is invalid. Use a percent from 0 to 100."
            )

    def tax_on(self, amount: int) -> int:
        """Return the tax in minor units carried by ``amount``.

        For an exclusive rate the tax is added on top of the amount; for an
        inclusive rate it is the part of the amount that is tax.
        """
        if self.inclusive:
            return round_minor(amount * self.percent / (HUNDRED + self.percent))
        return round_minor(amount * self.percent / HUNDRED)


@dataclass(frozen=True, slots=True)
class DiscountRule:
    """A percent or a fixed amount off; exactly one of the two is set."""

    name: str
    percent: Decimal | None = None
    amount_off: int | None = None  # minor units, in the order's currency

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount_off is None):
            raise PricingError("A discount is either a percent or an amount off.")
        if self.percent is not None and not (0 < self.percent <= HUNDRED):
            raise PricingError("A percent discount lies between 0 and 100.")
        if self.amount_off is not None and self.amount_off <= 0:
            raise PricingError("An amount off is greater than zero.")


@dataclass(frozen=True, slots=True)
class LineInput:
    description: str
    unit_amount: int  # minor units
    quantity: int
    tax: TaxRule | None = None
    discount: DiscountRule | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise PricingError("A line item's quantity is at least 1.")
        if self.unit_amount < 0:
            raise PricingError("A line item's unit amount cannot be negative.")


@dataclass(frozen=True, slots=True)
class FeeInput:
    """A flat amount or a percent of the discounted goods; exactly one is set."""

    name: str
    flat_amount: int | None = None  # minor units
    percent: Decimal | None = None
    tax: TaxRule | None = None

    def __post_init__(self) -> None:
        if (self.flat_amount is None) == (self.percent is None):
            raise PricingError("A fee is either a flat amount or a percent.")
        if self.flat_amount is not None and self.flat_amount < 0:
            raise PricingError(
                f"Fee amount {self.flat_amount} is invalid because it is negative."
            )
        if self.percent is not None and not (0 < self.percent <= HUNDRED):
            raise PricingError(
                f"Fee percent {self.percent}% is invalid. Use a percent above 0"
                " and up to 100."
            )


@dataclass(frozen=True, slots=True)
class PricedLine:
    description: str
    unit_amount: int
    quantity: int
    gross: int
    discount: int
    tax: int
    tax_inclusive: bool
    tax_name: str | None

    @property
    def net(self) -> int:
        """The amount after discounts; it contains the tax when that is inclusive."""
        return self.gross - self.discount

    @property
    def total(self) -> int:
        return self.net if self.tax_inclusive else self.net + self.tax


@dataclass(frozen=True, slots=True)
class PricedFee:
    name: str
    amount: int
    tax: int
    tax_inclusive: bool

    @property
    def total(self) -> int:
        return self.amount if self.tax_inclusive else self.amount + self.tax


@dataclass(frozen=True, slots=True)
class OrderTotals:
    currency: str
    lines: tuple[PricedLine, ...]
    fees: tuple[PricedFee, ...] = field(default=())

    @property
    def subtotal(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def fee_total(self) -> int:
        return sum(fee.amount for fee in self.fees)

    @property
    def tax(self) -> int:
        return sum(line.tax for line in self.lines) + sum(fee.tax for fee in self.fees)

    @property
    def inclusive_tax(self) -> int:
        """Tax already contained in the subtotal and fees."""
        return sum(line.tax for line in self.lines if line.tax_inclusive) + sum(
            fee.tax for fee in self.fees if fee.tax_inclusive
        )

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines) + sum(
            fee.total for fee in self.fees
        )


def price_order(
    currency: str,
    lines: list[LineInput],
    order_discount: DiscountRule | None = None,
    fees: list[FeeInput] | tuple[FeeInput, ...] = (),
) -> OrderTotals:
    if not lines:
        raise PricingError("An order has at least one line item.")
    gross = [line.unit_amount * line.quantity for line in lines]
    own = [
        _line_discount(line, amount) for line, amount in zip(lines, gross, strict=True)
    ]
    after_own = [amount - off for amount, off in zip(gross, own, strict=True)]
    order_off = _allocate_order_discount(order_discount, after_own)

    priced = []
    for line, amount, own_off, order_part in zip(
        lines, gross, own, order_off, strict=True
    ):
        discount = own_off + order_part
        net = amount - discount
        priced.append(
            PricedLine(
                description=line.description,
                unit_amount=line.unit_amount,
                quantity=line.quantity,
                gross=amount,
                discount=discount,
                tax=line.tax.tax_on(net) if line.tax else 0,
                tax_inclusive=bool(line.tax and line.tax.inclusive),
                tax_name=line.tax.name if line.tax else None,
            )
        )

    goods_net = sum(line.net for line in priced)
    priced_fees = tuple(_price_fee(fee, goods_net) for fee in fees)
    return OrderTotals(currency=currency, lines=tuple(priced), fees=priced_fees)


def _line_discount(line: LineInput, gross: int) -> int:
    rule = line.discount
    if rule is None:
        return 0
    if rule.percent is not None:
        return round_minor(gross * rule.percent / HUNDRED)
    return min(rule.amount_off or 0, gross)


def _allocate_order_discount(rule: DiscountRule | None, nets: list[int]) -> list[int]:
    """Split an order discount over the lines.

    A percent applies to each line and is rounded there. A fixed amount is
    capped at the order's goods and shared in proportion to each line's net
    amount, rounded down, with the remainder on the last line that has one.
    """
    if rule is None:
        return [0] * len(nets)
    if rule.percent is not None:
        return [round_minor(net * rule.percent / HUNDRED) for net in nets]

    goods = sum(nets)
    amount = min(rule.amount_off or 0, goods)
    if goods == 0:
        return [0] * len(nets)
    shares = [amount * net // goods for net in nets]
    remainder = amount - sum(shares)
    for index in reversed(range(len(nets))):
        room = nets[index] - shares[index]
        step = min(room, remainder)
        shares[index] += step
        remainder -= step
        if remainder == 0:
            break
    return shares


def _price_fee(fee: FeeInput, goods_net: int) -> PricedFee:
    if fee.percent is not None:
        amount = round_minor(goods_net * fee.percent / HUNDRED)
    else:
        amount = fee.flat_amount or 0
    return PricedFee(
        name=fee.name,
        amount=amount,
        tax=fee.tax.tax_on(amount) if fee.tax else 0,
        tax_inclusive=bool(fee.tax and fee.tax.inclusive),
    )
