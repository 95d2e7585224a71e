"""Order lines built from priced totals, shared by checkouts and staff invoices."""

from decimal import Decimal

from portal.models import OrderLine, OrderLineKind, TaxRate
from portal.pricing import PricedFee, PricedLine, TaxRule


def tax_rule(rate: TaxRate | None) -> TaxRule | None:
    if rate is None:
        return None
    return TaxRule(name=rate.name, percent=rate.percent, inclusive=rate.inclusive)


def item_line(
    position: int,
    line: PricedLine,
    *,
    price_id: int | None,
    tax_rate: TaxRate | None,
    discount_percent: Decimal | None = None,
) -> OrderLine:
    """Build the order line of a priced item, with the percent of ``tax_rate``."""
    return OrderLine(
        position=position,
        kind=OrderLineKind.ITEM,
        description=line.description,
        price_id=price_id,
        quantity=line.quantity,
        unit_amount=line.unit_amount,
        gross=line.gross,
        discount=line.discount,
        discount_percent=discount_percent,
        tax=line.tax,
        tax_name=line.tax_name,
        tax_percent=tax_rate.percent if tax_rate else None,
        tax_inclusive=line.tax_inclusive,
        total=line.total,
    )


def fee_line(position: int, fee: PricedFee, tax_rate: TaxRate | None) -> OrderLine:
    """Build a fee's order line, naming ``tax_rate`` and its percent when set."""
    return OrderLine(
        position=position,
        kind=OrderLineKind.FEE,
        description=fee.name,
        quantity=1,
        unit_amount=fee.amount,
        gross=fee.amount,
        tax=fee.tax,
        tax_name=tax_rate.name if tax_rate else None,
        tax_percent=tax_rate.percent if tax_rate else None,
        tax_inclusive=fee.tax_inclusive,
        total=fee.total,
    )
