"""Amounts in integer minor units of an ISO 4217 currency.

The one rounding rule of the project: a calculated amount is rounded half-up
(away from zero on a tie) to the currency's minor unit, once per line, by
``round_minor``. ``Decimal`` appears only inside calculations; amounts are
stored, compared and sent to the processor as integers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

KNOWN_CURRENCIES = frozenset(list_currencies())


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
    """Parse an amount typed in major units ("12.50") into minor units.

    Raises ``ValueError`` when the text is not a number or has more decimal
    places than the currency allows.
    """
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(f"{text!r} is not an amount.") from error
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount.")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{currency} amounts have at most {exponent(currency)} decimal places."
        )
    return int(scaled)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")

    def __add__(self, other: "Money") -> "Money":
        self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
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
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        locale = "en"
    return format_currency(to_major(amount, currency), currency, locale=locale)
