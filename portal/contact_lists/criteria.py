"""Criteria of a contact list: what members have paid or owe, combined with AND.

Criteria are stored as JSON objects with a ``kind`` and its values, and
each becomes a SQL condition on ``Contact`` when the list is read, so
membership always reflects the current payments and invoices.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement

from portal.listing import contact_facts
from portal.listing.context import ListingContext
from portal.listing.filters import parse_amount
from portal.money import CurrencyError, format_money, normalise_currency, to_major

MAX_DAYS = 3650


class CriterionKind(StrEnum):
    PAID_WITHIN_DAYS = "paid_within_days"
    HAS_OVERDUE_INVOICE = "has_overdue_invoice"
    HAS_OPEN_INVOICE = "has_open_invoice"
    TOTAL_PAID_AT_LEAST = "total_paid_at_least"
    PAID_THROUGH_LINK = "paid_through_link"


class CriteriaError(ValueError):
    """Criteria that cannot be used; ``errors`` maps each form field to a message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class Criterion:
    kind: CriterionKind
    days: int | None = None  # PAID_WITHIN_DAYS
    amount: int | None = None  # TOTAL_PAID_AT_LEAST, minor units
    currency: str | None = None  # TOTAL_PAID_AT_LEAST
    link_id: int | None = None  # PAID_THROUGH_LINK

    def to_json(self) -> dict[str, Any]:
        values = {
            "days": self.days,
            "amount": self.amount,
            "currency": self.currency,
            "link_id": self.link_id,
        }
        return {
            "kind": self.kind.value,
            **{key: value for key, value in values.items() if value is not None},
        }

    def condition(self, context: ListingContext) -> ColumnElement[bool]:
        """Return the SQL condition that members meet at the context's time."""
        if self.kind is CriterionKind.PAID_WITHIN_DAYS:
            first_day = context.today - timedelta(days=self.days - 1)
            return contact_facts.paid_since(context.day_start(first_day), first_day)
        if self.kind is CriterionKind.HAS_OVERDUE_INVOICE:
            return contact_facts.has_overdue_invoice(context.today)
        if self.kind is CriterionKind.HAS_OPEN_INVOICE:
            return contact_facts.has_open_invoice()
        if self.kind is CriterionKind.TOTAL_PAID_AT_LEAST:
            return contact_facts.total_paid_between(self.currency, self.amount, None)
        return contact_facts.paid_through_link(self.link_id)

    def describe(self, link_titles: Mapping[int, str]) -> str:
        """Describe the criterion so that it reads after "Contacts who"."""
        if self.kind is CriterionKind.PAID_WITHIN_DAYS:
            unit = "day" if self.days == 1 else f"{self.days} days"
            return f"paid in the last {unit}"
        if self.kind is CriterionKind.HAS_OVERDUE_INVOICE:
            return "have an overdue invoice"
        if self.kind is CriterionKind.HAS_OPEN_INVOICE:
            return "have an open invoice"
        if self.kind is CriterionKind.TOTAL_PAID_AT_LEAST:
            total = format_money(self.amount, self.currency, "en")
            return f"have paid at least {total} in total"
        title = link_titles.get(self.link_id)
        if title is None:
            return f"paid through payment link #{self.link_id}, which no longer exists"
        return f"paid through the payment link {title!r}"


# The builder form's fields: a checkbox per criterion and the values it needs.
FIELD_PAID_WITHIN = "paid_within"
FIELD_DAYS = "paid_within_days"
FIELD_OVERDUE = "has_overdue_invoice"
FIELD_OPEN = "has_open_invoice"
FIELD_TOTAL = "total_paid"
FIELD_TOTAL_AMOUNT = "total_paid_amount"
FIELD_TOTAL_CURRENCY = "total_paid_currency"
FIELD_LINK = "paid_through_link"
FIELD_LINK_ID = "link_id"


def criteria_from_form(fields: Mapping[str, str]) -> list[Criterion]:
    """Build criteria from the builder form's fields; raise ``CriteriaError``."""
    criteria: list[Criterion] = []
    errors: dict[str, str] = {}

    def ticked(name: str) -> bool:
        return bool(fields.get(name, "").strip())

    def value(name: str) -> str:
        return fields.get(name, "").strip()

    if ticked(FIELD_PAID_WITHIN):
        try:
            criteria.append(_paid_within(value(FIELD_DAYS)))
        except ValueError as error:
            errors[FIELD_DAYS] = str(error)
    if ticked(FIELD_OVERDUE):
        criteria.append(Criterion(CriterionKind.HAS_OVERDUE_INVOICE))
    if ticked(FIELD_OPEN):
        criteria.append(Criterion(CriterionKind.HAS_OPEN_INVOICE))
    if ticked(FIELD_TOTAL):
        try:
            currency = _currency(value(FIELD_TOTAL_CURRENCY))
        except ValueError as error:
            errors[FIELD_TOTAL_CURRENCY] = str(error)
        else:
            try:
                criteria.append(_total_paid(value(FIELD_TOTAL_AMOUNT), currency))
            except ValueError as error:
                errors[FIELD_TOTAL_AMOUNT] = str(error)
    if ticked(FIELD_LINK):
        try:
            criteria.append(_through_link(value(FIELD_LINK_ID)))
        except ValueError as error:
            errors[FIELD_LINK_ID] = str(error)
    if errors:
        raise CriteriaError(errors)
    if not criteria:
        raise CriteriaError({"criteria": "Choose at least one criterion."})
    return criteria


def criteria_to_form(criteria: Sequence[Criterion]) -> dict[str, str]:
    """Return the builder form's field values for stored criteria."""
    fields: dict[str, str] = {}
    for criterion in criteria:
        if criterion.kind is CriterionKind.PAID_WITHIN_DAYS:
            fields[FIELD_PAID_WITHIN] = "y"
            fields[FIELD_DAYS] = str(criterion.days)
        elif criterion.kind is CriterionKind.HAS_OVERDUE_INVOICE:
            fields[FIELD_OVERDUE] = "y"
        elif criterion.kind is CriterionKind.HAS_OPEN_INVOICE:
            fields[FIELD_OPEN] = "y"
        elif criterion.kind is CriterionKind.TOTAL_PAID_AT_LEAST:
            fields[FIELD_TOTAL] = "y"
            fields[FIELD_TOTAL_AMOUNT] = str(
                to_major(criterion.amount, criterion.currency)
            )
            fields[FIELD_TOTAL_CURRENCY] = criterion.currency
        else:
            fields[FIELD_LINK] = "y"
            fields[FIELD_LINK_ID] = str(criterion.link_id)
    return fields


def criteria_from_json(stored: Sequence[Mapping[str, Any]]) -> list[Criterion]:
    """Read stored criteria back; raise ``CriteriaError`` when one is malformed."""
    criteria = []
    for position, item in enumerate(stored, start=1):
        try:
            criteria.append(_from_json(item))
        except (KeyError, TypeError, ValueError):
            raise CriteriaError(
                {"criteria": f"Criterion {position} of this list cannot be read."}
            ) from None
    return criteria


def _from_json(item: Mapping[str, Any]) -> Criterion:
    kind = CriterionKind(item["kind"])
    if kind is CriterionKind.PAID_WITHIN_DAYS:
        return _paid_within(str(_integer(item["days"])))
    if kind is CriterionKind.TOTAL_PAID_AT_LEAST:
        amount = _integer(item["amount"])
        if amount < 0:
            raise ValueError("negative amount")
        return Criterion(kind, amount=amount, currency=_currency(item["currency"]))
    if kind is CriterionKind.PAID_THROUGH_LINK:
        return _through_link(str(_integer(item["link_id"])))
    return Criterion(kind)


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("integer expected")
    return value


def _paid_within(text: str) -> Criterion:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise ValueError(f"Days must be a whole number from 1 to {MAX_DAYS}.")
    return Criterion(CriterionKind.PAID_WITHIN_DAYS, days=int(text))


def _currency(text: str) -> str:
    if not text:
        raise ValueError("Choose the currency of the total.")
    try:
        return normalise_currency(text)
    except CurrencyError:
        raise ValueError(f"{text!r} is not an ISO 4217 code such as EUR.") from None


def _total_paid(text: str, currency: str) -> Criterion:
    if not text:
        raise ValueError("Enter the least total paid, such as 100.00.")
    amount = parse_amount(text, currency, "Total paid")
    return Criterion(
        CriterionKind.TOTAL_PAID_AT_LEAST, amount=amount, currency=currency
    )


def _through_link(text: str) -> Criterion:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError("Choose a payment link from the list.")
    return Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=int(text))
