"""Amounts in integer minor units of an ISO 4217 currency.

The one rounding rule of the project: a calculated amount is rounded half-up
(away from zero on a tie) to the currency's minor unit, once per line, by
``round_minor``. ``Decimal`` appears only inside calculations; amounts are
stored, compared and sent to the processor as integers.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

KNOWN_CURRENCIES = frozenset(list_currencies())

# Typed amounts use plain decimal notation. Exponents ("1e9"), underscores and
# non-ASCII digits are rejected, so parsing never builds a huge number.
_AMOUNT_PATTERN = re.compile(
    r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:[.,](?P<fraction>[0-9]*))?"
)
# The largest value of a signed 64-bit integer (an SQL BIGINT column).
MAX_PARSED_AMOUNT = 2**63 - 1
_MAX_PARSED_DIGITS = len(str(MAX_PARSED_AMOUNT))


class CurrencyError(ValueError):
    pass


def normalise_currency(code: str) -> str:
    code = code.strip().upper()
    if code not in KNOWN_CURRENCIES:
        raise CurrencyError(f"Unknown currency code {code!r}; use an ISO 4217 code.")
    return code


def exponent(currency: str) -> int:
    """Return the number of decimal places of the currency's minor unit."""
    return get_currency_precision(normalise_currency(currency))


def round_minor(value: Decimal) -> int:
    """Round a value already expressed in minor units, half-up, to an integer."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def parse_major(text: str, currency: str) -> int:
    """Parse an amount typed in major units ("12.50" or "12,50") into minor units.

    Accepts plain digits with an optional sign and one decimal point or comma.
    Raises ``ValueError`` when the text is not such a number, has more decimal
    places than the currency allows, or exceeds ``MAX_PARSED_AMOUNT``.
    """
    code = normalise_currency(currency)
    places = exponent(code)
    match = _AMOUNT_PATTERN.fullmatch(text.strip())
    if match is None or not (match["whole"] or match["fraction"]):
        raise ValueError(
            f"{text!r} is not a valid amount. Write digits with an optional"
            " decimal point, such as 12.50."
        )

    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        if places == 0:
            raise ValueError(f"{code} amounts are whole numbers.")
        raise ValueError(f"{code} amounts have at most {places} decimal places.")
    digits = ((match["whole"] or "0") + fraction.ljust(places, "0")).lstrip("0")
    if len(digits) > _MAX_PARSED_DIGITS or int(digits or "0") > MAX_PARSED_AMOUNT:
        raise ValueError(f"Amounts above {MAX_PARSED_AMOUNT} minor units are invalid.")
    amount = int(digits or "0")
    return -amount if match["sign"] == "-" else amount


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")

    # Returning NotImplemented for other operands makes Python raise TypeError.
    def __add__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _check_same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyError(
                f"Cannot combine {self.currency} and {other.currency} amounts."
            )

    def format(self, locale: str = "en") -> str:
        return format_money(self.amount, self.currency, locale)


def format_money(amount: int, currency: str, locale: str = "en") -> str:
    """Format minor units for display in a locale: ``1 234,50 €`` in fi."""
    try:
        locale = str(Locale.parse(locale.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        locale = "en"
    return format_currency(to_major(amount, currency), currency, locale=locale)
