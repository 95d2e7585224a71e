"""An order's line items and totals as display text, shared by PDFs and emails.

Labels go through gettext, so build a summary inside ``force_locale`` when the
text must be in a locale other than the request's.
"""

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import gettext as _

from portal.models import Order, OrderLine
from portal.money import format_money

MINUS_SIGN = "\u2212"  # typographic minus, as on the checkout page


@dataclass(frozen=True, slots=True)
class SummaryLine:
    description: str
    quantity: int
    unit_amount: str
    amount: str  # gross: unit amount x quantity, before discounts


@dataclass(frozen=True, slots=True)
class TotalRow:
    label: str
    amount: str
    kind: str  # "subtotal", "discount", "fee", "tax" or "total"


@dataclass(frozen=True, slots=True)
class OrderSummary:
    items: tuple[SummaryLine, ...]
    rows: tuple[TotalRow, ...]  # subtotal, discount, fees and taxes, then the total
    total: str


def summarise_order(order: Order, locale: str) -> OrderSummary:
    """Format the order's item lines and the rows that lead to its total."""

    def money(amount: int) -> str:
        return format_money(amount, order.currency, locale)

    items = tuple(
        SummaryLine(
            description=line.description,
            quantity=line.quantity,
            unit_amount=money(line.unit_amount),
            amount=money(line.gross),
        )
        for line in order.items
    )

    rows = [TotalRow(_("Subtotal"), money(order.subtotal), "subtotal")]
    if order.discount_total:
        label = _("Discount")
        if order.discount_code:
            label = _("Discount (%(code)s)", code=order.discount_code)
        amount = MINUS_SIGN + money(order.discount_total)
        rows.append(TotalRow(label, amount, "discount"))
    for fee in order.fees:
        rows.append(TotalRow(fee.description, money(fee.gross), "fee"))
    for label, amount in tax_rows(order.lines, locale):
        rows.append(TotalRow(label, money(amount), "tax"))

    total = money(order.total)
    rows.append(TotalRow(_("Total"), total, "total"))
    return OrderSummary(items=items, rows=tuple(rows), total=total)


def tax_rows(lines: list[OrderLine], locale: str) -> list[tuple[str, int]]:
    """Sum the tax of item and fee lines per tax rate, in the order rates appear.

    A rate is named by its name, percent and whether prices include it, so
    "VAT 24%" and "VAT 24% (included)" stay on separate rows.
    """
    sums: dict[tuple[str, Decimal | None, bool], int] = {}
    for line in lines:
        if line.tax_name is None and not line.tax:
            continue
        key = (line.tax_name or _("Tax"), line.tax_percent, line.tax_inclusive)
        sums[key] = sums.get(key, 0) + line.tax
    return [
        (_tax_label(name, percent, inclusive, locale), amount)
        for (name, percent, inclusive), amount in sums.items()
    ]


def _tax_label(name: str, percent: Decimal | None, inclusive: bool, locale: str) -> str:
    if percent is not None:
        name = f"{name} {format_tax_percent(percent, locale)}"
    if inclusive:
        return _("%(tax)s (included)", tax=name)
    return name


def format_tax_percent(percent: Decimal, locale: str) -> str:
    """Format a rate stored as 24.0000 as "24%", keeping decimals such as 5.5."""
    fraction = (Decimal(percent) / 100).normalize()
    return format_percent(fraction, locale=locale, decimal_quantization=False)
