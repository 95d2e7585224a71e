"""Filters of an index page: read from query-string values, applied as SQL.

Each filter reads one or two query-string parameters, raises ``FilterError``
with a message that names the field when a value cannot be used, and turns
a parsed value into a SQL condition through its ``where`` function. Unset or
empty parameters leave the filter off.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, true

from portal.listing.context import ListingContext
from portal.money import (
    MAX_PARSED_AMOUNT,
    CurrencyError,
    exponent,
    normalise_currency,
    to_major,
)

# Query-string values by parameter name, each parameter possibly repeated.
QueryArgs = Mapping[str, Sequence[str]]
Condition = ColumnElement[bool]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Digits with one optional decimal point or comma; no sign, exponent or spaces.
_AMOUNT = re.compile(r"(?P<whole>[0-9]+)(?:[.,](?P<fraction>[0-9]+))?")
_MAX_TEXT = 320
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


class FilterError(ValueError):
    """A query-string value that cannot be used, with the parameter it came from."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


def _values(args: QueryArgs, param: str) -> list[str]:
    """Return the non-empty, stripped values of ``param``."""
    return [value.strip() for value in args.get(param, ()) if value.strip()]


def _single(args: QueryArgs, param: str, label: str) -> str | None:
    values = _values(args, param)
    if len(values) > 1:
        raise FilterError(param, f"Choose one {label.lower()}, not {len(values)}.")
    return values[0] if values else None


class Filter(ABC):
    kind: str  # which form control the page shows, such as "choice"
    key: str
    label: str

    @property
    @abstractmethod
    def params(self) -> tuple[str, ...]:
        """Return the query-string parameters this filter reads, in form order."""

    @abstractmethod
    def parse(self, args: QueryArgs) -> Any | None:
        """Return the parsed value, or None when the filter is off."""

    @abstractmethod
    def condition(self, value: Any, context: ListingContext) -> Condition:
        """Return the SQL condition that rows matching ``value`` meet."""

    @abstractmethod
    def query_pairs(self, value: Any) -> list[tuple[str, str]]:
        """Return the canonical query-string pairs of a parsed value."""


class WhereFilter(Filter):
    """A filter of one parameter whose SQL condition comes from ``where``."""

    def __init__(
        self, key: str, label: str, where: Callable[[Any, ListingContext], Condition]
    ) -> None:
        self.key = key
        self.label = label
        self._where = where

    @property
    def params(self) -> tuple[str, ...]:
        return (self.key,)

    def condition(self, value: Any, context: ListingContext) -> Condition:
        return self._where(value, context)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


class ChoiceFilter(WhereFilter):
    """One or more values from a fixed list, such as statuses; rows match any."""

    kind = "choice"

    def __init__(
        self,
        key: str,
        label: str,
        choices: Sequence[Choice],
        where: Callable[[tuple[str, ...], ListingContext], Condition],
    ) -> None:
        super().__init__(key, label, where)
        self.choices = tuple(choices)

    def parse(self, args: QueryArgs) -> tuple[str, ...] | None:
        known = [choice.value for choice in self.choices]
        chosen = []
        for value in _values(args, self.key):
            if value not in known:
                raise FilterError(
                    self.key,
                    f"{self.label} {value!r} is unknown; choose from "
                    f"{', '.join(known)}.",
                )
            if value not in chosen:
                chosen.append(value)
        # Keep the list's own order, so that equal selections give one query string.
        return tuple(value for value in known if value in chosen) or None

    def query_pairs(self, value: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(self.key, item) for item in value]


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date | None  # first day included
    end: date | None  # last day included


class DateRangeFilter(Filter):
    """Days from and to, both included, as calendar days in the business's zone.

    A timestamp column matches from local midnight of the first day to local
    midnight after the last; a date column is compared as it is.
    """

    kind = "date_range"

    def __init__(
        self, key: str, label: str, column: ColumnElement[Any], *, timestamp: bool
    ) -> None:
        self.key = key
        self.label = label
        self.column = column
        self.timestamp = timestamp

    @property
    def params(self) -> tuple[str, ...]:
        return (f"{self.key}_from", f"{self.key}_to")

    def parse(self, args: QueryArgs) -> DateRange | None:
        start_param, end_param = self.params
        start = self._parse_day(args, start_param, f"{self.label} from")
        end = self._parse_day(args, end_param, f"{self.label} to")
        if start is None and end is None:
            return None
        if start is not None and end is not None and start > end:
            raise FilterError(
                end_param,
                f"{self.label} to must be on or after {self.label} from"
                f" ({start.isoformat()}).",
            )
        return DateRange(start, end)

    def _parse_day(self, args: QueryArgs, param: str, label: str) -> date | None:
        text = _single(args, param, label)
        if text is None:
            return None
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise FilterError(
                param, f"{label} must be a date like 2026-12-31."
            ) from None
        # Days at the ends of the calendar have no UTC midnight in every zone.
        if not FIRST_DAY <= day <= LAST_DAY:
            raise FilterError(
                param,
                f"{label} must be between {FIRST_DAY.isoformat()} and"
                f" {LAST_DAY.isoformat()}.",
            )
        return day

    def condition(self, value: DateRange, context: ListingContext) -> Condition:
        conditions = []
        if value.start is not None:
            start = context.day_start(value.start) if self.timestamp else value.start
            conditions.append(self.column >= start)
        if value.end is not None and self.timestamp:
            conditions.append(
                self.column < context.day_start(value.end + timedelta(days=1))
            )
        elif value.end is not None:
            conditions.append(self.column <= value.end)
        return _all_of(conditions)

    def query_pairs(self, value: DateRange) -> list[tuple[str, str]]:
        start_param, end_param = self.params
        pairs = []
        if value.start is not None:
            pairs.append((start_param, value.start.isoformat()))
        if value.end is not None:
            pairs.append((end_param, value.end.isoformat()))
        return pairs


class CurrencyFilter(WhereFilter):
    """One ISO 4217 currency code."""

    kind = "currency"

    def parse(self, args: QueryArgs) -> str | None:
        text = _single(args, self.key, self.label)
        if text is None:
            return None
        try:
            return normalise_currency(text)
        except CurrencyError:
            raise FilterError(
                self.key,
                f"{self.label} {text!r} is not an ISO 4217 code such as EUR.",
            ) from None

    def query_pairs(self, value: str) -> list[tuple[str, str]]:
        return [(self.key, value)]


@dataclass(frozen=True, slots=True)
class AmountRange:
    currency: str
    minimum: int | None  # minor units, included
    maximum: int | None  # minor units, included


class AmountRangeFilter(WhereFilter):
    """An amount from and to, in major units of the currency in ``currency_param``.

    Amounts in different currencies cannot be compared, so the range needs
    one currency. When the currency value itself is invalid, this filter stays
    silent and leaves the message to the currency filter.
    """

    kind = "amount_range"

    def __init__(
        self,
        key: str,
        label: str,
        where: Callable[[AmountRange, ListingContext], Condition],
        *,
        currency_param: str = "currency",
    ) -> None:
        super().__init__(key, label, where)
        self.currency_param = currency_param

    @property
    def params(self) -> tuple[str, ...]:
        return (f"{self.key}_from", f"{self.key}_to")

    def parse(self, args: QueryArgs) -> AmountRange | None:
        start_param, end_param = self.params
        start_text = _single(args, start_param, f"{self.label} from")
        end_text = _single(args, end_param, f"{self.label} to")
        if start_text is None and end_text is None:
            return None

        for text, param, end in (
            (start_text, start_param, "from"),
            (end_text, end_param, "to"),
        ):
            if text is not None:
                try:
                    check_amount_syntax(text, f"{self.label} {end}")
                except ValueError as error:
                    raise FilterError(param, str(error)) from None

        currency_values = _values(args, self.currency_param)
        if not currency_values:
            raise FilterError(
                self.currency_param,
                f"Choose a currency to filter by {self.label.lower()}, because "
                "amounts in different currencies cannot be compared.",
            )
        try:
            currency = normalise_currency(currency_values[0])
        except CurrencyError:
            return None

        minimum = self._parse_amount(start_text, start_param, currency, "from")
        maximum = self._parse_amount(end_text, end_param, currency, "to")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise FilterError(
                end_param,
                f"{self.label} to must not be less than {self.label} from.",
            )
        return AmountRange(currency, minimum, maximum)

    def _parse_amount(
        self, text: str | None, param: str, currency: str, end: str
    ) -> int | None:
        if text is None:
            return None
        try:
            return parse_amount(text, currency, f"{self.label} {end}")
        except ValueError as error:
            raise FilterError(param, str(error)) from None

    def query_pairs(self, value: AmountRange) -> list[tuple[str, str]]:
        start_param, end_param = self.params
        pairs = []
        if value.minimum is not None:
            pairs.append((start_param, str(to_major(value.minimum, value.currency))))
        if value.maximum is not None:
            pairs.append((end_param, str(to_major(value.maximum, value.currency))))
        return pairs


def check_amount_syntax(text: str, label: str) -> re.Match[str]:
    """Raise ``ValueError`` unless ``text`` is digits with an optional decimal part."""
    text = text.strip()
    if text.startswith("-"):
        raise ValueError(f"{label} must not be negative.")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"{label} must be a number like 12.50.")
    return match


def parse_amount(text: str, currency: str, label: str) -> int:
    """Parse a non-negative amount in major units of ``currency`` into minor units.

    Accepts digits with one optional decimal point or comma and at most the
    currency's number of decimal places. Raises ``ValueError`` with a message
    that starts with ``label``.
    """
    match = check_amount_syntax(text, label)
    places = exponent(currency)
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places and places == 0:
        raise ValueError(f"{label} must be a whole number in {currency}.")
    if len(fraction) > places:
        raise ValueError(
            f"{label} has more decimal places than {currency} allows ({places})."
        )
    digits = (match["whole"] + fraction.ljust(places, "0")).lstrip("0") or "0"
    if len(digits) > len(str(MAX_PARSED_AMOUNT)) or int(digits) > MAX_PARSED_AMOUNT:
        raise ValueError(f"{label} is too large.")
    return int(digits)


def amount_between(
    column: ColumnElement[int],
) -> Callable[[AmountRange, ListingContext], Condition]:
    """Return a ``where`` function comparing ``column`` (minor units) with a range.

    The currency is matched by the currency filter, which the range requires.
    """

    def where(value: AmountRange, _context: ListingContext) -> Condition:
        conditions = []
        if value.minimum is not None:
            conditions.append(column >= value.minimum)
        if value.maximum is not None:
            conditions.append(column <= value.maximum)
        return _all_of(conditions)

    return where


class ContainsFilter(Filter):
    """Text that a column contains, ignoring case; ``%`` and ``_`` match themselves."""

    kind = "contains"

    def __init__(
        self, key: str, label: str, columns: Sequence[ColumnElement[str]]
    ) -> None:
        self.key = key
        self.label = label
        self.columns = tuple(columns)

    @property
    def params(self) -> tuple[str, ...]:
        return (self.key,)

    def parse(self, args: QueryArgs) -> str | None:
        text = _single(args, self.key, self.label)
        if text is None:
            return None
        if len(text) > _MAX_TEXT:
            raise FilterError(
                self.key, f"{self.label} must be at most {_MAX_TEXT} characters."
            )
        return text.lower()

    def condition(self, value: str, context: ListingContext) -> Condition:
        matches = [
            func.lower(column).contains(value, autoescape=True)
            for column in self.columns
        ]
        return matches[0] if len(matches) == 1 else _any_of(matches)

    def query_pairs(self, value: str) -> list[tuple[str, str]]:
        return [(self.key, value)]


class ReferenceFilter(WhereFilter):
    """The id of one related record, such as a payment link."""

    kind = "reference"

    def parse(self, args: QueryArgs) -> int | None:
        text = _single(args, self.key, self.label)
        if text is None:
            return None
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            raise FilterError(
                self.key, f"{self.label} must be chosen from the list, by its number."
            )
        return int(text)

    def query_pairs(self, value: int) -> list[tuple[str, str]]:
        return [(self.key, str(value))]


def _all_of(conditions: list[Condition]) -> Condition:
    return and_(true(), *conditions)


def _any_of(conditions: list[Condition]) -> Condition:
    return or_(false(), *conditions)
