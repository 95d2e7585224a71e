"""Tax rates: a name shown to buyers, a percent, inclusive or exclusive.

Orders keep their own copy of each line's tax name and percent, so changing
a rate changes future checkouts only.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.catalog.amounts import parse_percent
from portal.catalog.changes import apply_changes
from portal.catalog.errors import ErrorCollector
from portal.catalog.text import clean_line
from portal.models import TaxRate

MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class TaxRateInput:
    name: str
    percent: Decimal
    inclusive: bool
    active: bool = True


def read_tax_rate(data: Mapping[str, object]) -> TaxRateInput:
    """Check a tax rate form's values; raises ``InvalidInput`` naming each bad field."""
    collector = ErrorCollector()
    name = collector.check(
        clean_line, data.get("name"), "name", MAX_NAME_LENGTH, "name", required=True
    )
    percent = collector.check(
        parse_percent, str(data.get("percent") or ""), "percent", allow_zero=True
    )
    collector.raise_any()
    return TaxRateInput(
        name=name,
        percent=percent,
        inclusive=bool(data.get("inclusive")),
        active=bool(data.get("active", True)),
    )


def create_tax_rate(session: Session, values: TaxRateInput) -> TaxRate:
    rate = TaxRate(
        name=values.name,
        percent=values.percent,
        inclusive=values.inclusive,
        active=values.active,
    )
    session.add(rate)
    session.flush()
    return rate


def update_tax_rate(rate: TaxRate, values: TaxRateInput) -> dict[str, str]:
    """Apply ``values`` and return the changed fields with their new values."""
    return apply_changes(rate, values, ("name", "percent", "inclusive", "active"))


def tax_rate_label(rate: TaxRate) -> str:
    """Describe a rate as "VAT 25.5% (included in prices)"."""
    percent = format(rate.percent.normalize(), "f")
    kind = "included in prices" if rate.inclusive else "added to prices"
    return f"{rate.name} {percent}% ({kind})"
