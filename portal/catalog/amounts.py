"""Amounts and percents as staff type them.

An amount is typed in major units with at most as many decimal places as
the currency's minor unit has ("12.50" EUR, "80" JPY) and stored in minor
units. Zero, negative amounts and amounts above what the payment processor
takes in one charge are rejected.
"""

import re
from collections.abc import Sequence
from decimal import Decimal

from portal.catalog.errors import CatalogError
from portal.money import exponent, format_money, parse_major, to_major
from portal.processors.base import MAX_AMOUNT

_AMOUNT = re.compile(r"(?P<whole>[0-9]+)(?:[.,](?P<fraction>[0-9]+))?")
_PERCENT = re.compile(r"(?P<whole>[0-9]{1,3})(?:[.,](?P<fraction>[0-9]+))?")
PERCENT_PLACES = 4  # the Numeric(7, 4) percent columns
HUNDRED = Decimal(100)


def example_amount(currency: str) -> str:
    """Return a sample amount with the currency's decimal places, such as 12.50."""
    places = exponent(currency)
    return "80" if places == 0 else "12." + "50".ljust(places, "0")


def parse_currency(value: object, currencies: Sequence[str]) -> str:
    """Return ``value`` as an upper-case currency code from ``currencies``.

    Raises ``CatalogError`` on the "currency" field for any other code.
    """
    currency = str(value or "").strip().upper()
    if currency not in currencies:
        raise CatalogError(
            f"Choose one of the accepted currencies: {', '.join(currencies)}.",
            "currency",
        )
    return currency


def parse_amount(text: str, currency: str, field: str | None = None) -> int:
    """Parse a positive amount in major units of ``currency`` into minor units.

    Raises ``CatalogError`` for an empty, malformed, zero or negative amount,
    one with more decimal places than the currency has, or one above
    ``MAX_AMOUNT`` minor units.
    """
    value = text.strip()
    example = example_amount(currency)
    if not value:
        raise CatalogError(f"Enter an amount, such as {example}.", field)
    if value.startswith("-"):
        raise CatalogError(
            f"The amount {value} is negative. Enter an amount above zero.", field
        )
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise CatalogError(
            f"{value!r} is not an amount. Write digits with an optional decimal "
            f"point, such as {example}.",
            field,
        )
    places = exponent(currency)
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        if places == 0:
            message = f"{currency} has no minor unit. Enter a whole number, such as 80."
        else:
            message = (
                f"{currency} amounts have at most {places} decimal places, "
                f"such as {example}."
            )
        raise CatalogError(message, field)
    if len(match["whole"].lstrip("0")) > len(str(MAX_AMOUNT)):
        raise CatalogError(_too_large(currency), field)
    amount = parse_major(value, currency)
    if amount == 0:
        raise CatalogError("The amount is zero. Enter an amount above zero.", field)
    if amount > MAX_AMOUNT:
        raise CatalogError(_too_large(currency), field)
    return amount


def _too_large(currency: str) -> str:
    limit = format_money(MAX_AMOUNT, currency, "en")
    return (
        f"The amount is too large. The payment processor takes at most {limit} "
        "in one payment."
    )


def amount_for_input(amount: int, currency: str) -> str:
    """Return minor units as the text a staff member would type: 1250 EUR is 12.50."""
    return str(to_major(amount, currency))


def parse_percent(
    text: str, field: str | None = None, *, allow_zero: bool = False
) -> Decimal:
    """Parse a percent such as "25.5" with at most four decimal places.

    Raises ``CatalogError`` for an empty or malformed value, more than four
    decimal places, a value above 100, or zero unless ``allow_zero``.
    """
    value = text.strip().removesuffix("%").strip()
    if not value:
        raise CatalogError("Enter a percent, such as 25.5.", field)
    if value.startswith("-"):
        raise CatalogError(
            f"The percent {value} is negative. Enter a percent from 0 to 100.", field
        )
    match = _PERCENT.fullmatch(value)
    if match is None:
        raise CatalogError(
            f"{value!r} is not a percent. Write a number from 0 to 100, such as 25.5.",
            field,
        )
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > PERCENT_PLACES:
        raise CatalogError(
            f"A percent has at most {PERCENT_PLACES} decimal places, such as 25.5.",
            field,
        )
    percent = Decimal(match["whole"] + (f".{fraction}" if fraction else ""))
    if percent > HUNDRED:
        raise CatalogError(
            f"{value}% is above 100. Enter a percent from 0 to 100.", field
        )
    if percent == 0 and not allow_zero:
        raise CatalogError("The percent is zero. Enter a percent above 0.", field)
    return percent


def percent_for_input(percent: Decimal) -> str:
    """Return a stored percent without trailing zeros: 25.5000 is 25.5."""
    return format(percent.normalize(), "f")
