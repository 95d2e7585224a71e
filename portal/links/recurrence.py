"""A payment link that sells a subscription: its recurring prices, start and trial.

A link may carry recurring prices beside one-time ones. The recurring ones
become the subscription's items and must share one currency and one billing
frequency. The one-time ones are charged once, with the first payment. The
subscription starts when the buyer pays, on a fixed date, or after a delay
of some days or months, and may begin with a free trial of some days.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal.catalog.errors import FORM, CatalogError, ErrorCollector
from portal.catalog.products import FREQUENCY_LABELS
from portal.links.inputs import ItemInput
from portal.models import BillingFrequency, PaymentLink, Price, PriceKind

MAX_TRIAL_DAYS = 730
MAX_DELAY_DAYS = 730
MAX_DELAY_MONTHS = 24
# A fixed start date may lie at most this many days ahead.
MAX_START_AHEAD_DAYS = 730


class StartMode(StrEnum):
    """When the subscriptions sold by a link start."""

    NOW = "now"  # on the day the buyer pays
    ON_DATE = "on_date"
    AFTER_DELAY = "after_delay"  # some days or months after the buyer pays


class DelayUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"


@dataclass(frozen=True, slots=True)
class RecurrenceInput:
    """The start and trial of a link's subscriptions; all None to start at once."""

    trial_days: int | None = None
    start_delay: int | None = None
    start_delay_unit: DelayUnit | None = None
    start_on: date | None = None  # in the business's time zone


def recurring_frequency(
    session: Session, items: Sequence[ItemInput], currency: str | None
) -> BillingFrequency | None:
    """Return the billing frequency shared by the recurring prices of ``items``.

    Returns None when no item has a recurring price. Raises ``CatalogError``
    when recurring prices differ in currency or frequency, or when one has a
    line discount, which renewals could not apply.
    """
    first: Price | None = None
    for item in items:
        price = session.get(Price, item.price_id)
        if price is None or price.kind is not PriceKind.RECURRING:
            continue
        if item.discount_id is not None:
            raise CatalogError(
                f"{price.product.name} is billed repeatedly, and its renewals "
                "are charged without line discounts. Remove the discount from "
                "this line, or give buyers a discount code instead.",
                FORM,
            )
        if first is None:
            first = price
            continue
        if price.currency != first.currency:
            raise CatalogError(
                f"The recurring prices are in {first.currency} and "
                f"{price.currency}. All recurring prices on one link share one "
                f"currency: choose {currency or first.currency} prices.",
                FORM,
            )
        if price.frequency is not first.frequency:
            raise CatalogError(
                f"{first.product.name} is billed "
                f"{FREQUENCY_LABELS[first.frequency].lower()}, but "
                f"{price.product.name} is billed "
                f"{FREQUENCY_LABELS[price.frequency].lower()}. All recurring "
                "prices on one link share one billing frequency: choose prices "
                "with the same frequency, or make a link for each.",
                FORM,
            )
    return first.frequency if first is not None else None


def read_recurrence(
    data: Mapping[str, object],
    *,
    recurring: bool,
    timezone: str,
    now: datetime,
    current: PaymentLink | None = None,
) -> RecurrenceInput:
    """Check the start and trial fields of the link form.

    A link without recurring prices must start at once and have no trial.
    A start date must not be in the past in ``timezone``, unless it is the
    date ``current`` already has. Raises ``InvalidInput`` naming each bad
    field.
    """
    collector = ErrorCollector()
    mode = _read_mode(data.get("start"))
    trial_text = str(data.get("trial_days") or "").strip()
    if not recurring:
        if mode is not StartMode.NOW:
            collector.errors["start"] = (
                "Only a link with a recurring price can start later. Choose "
                "Start when the buyer pays, or add a recurring price."
            )
        if trial_text:
            collector.errors["trial_days"] = (
                "Only a link with a recurring price can have a free trial. "
                "Clear the trial, or add a recurring price."
            )
        collector.raise_any()
        return RecurrenceInput()

    trial_days = None
    if trial_text:
        trial_days = collector.check(
            _read_count, trial_text, MAX_TRIAL_DAYS, "trial length", "trial_days"
        )
    values = RecurrenceInput(trial_days=trial_days)
    if mode is None:
        collector.errors["start"] = (
            "Choose when the subscription starts: when the buyer pays, on a "
            "date, or after a delay."
        )
    elif mode is StartMode.ON_DATE:
        today = now.astimezone(ZoneInfo(timezone)).date()
        saved = current.start_on if current is not None else None
        start_on = collector.check(_read_start_on, data.get("start_on"), today, saved)
        values = RecurrenceInput(trial_days=trial_days, start_on=start_on)
    elif mode is StartMode.AFTER_DELAY:
        unit = _read_unit(data.get("start_delay_unit"))
        if unit is None:
            collector.errors["start_delay_unit"] = "Choose days or months."
        limit = MAX_DELAY_MONTHS if unit is DelayUnit.MONTHS else MAX_DELAY_DAYS
        delay = collector.check(
            _read_count, data.get("start_delay"), limit, "delay", "start_delay"
        )
        values = RecurrenceInput(
            trial_days=trial_days, start_delay=delay, start_delay_unit=unit
        )
    collector.raise_any()
    return values


def start_mode(link: PaymentLink) -> StartMode:
    """Return how a saved link's subscriptions start."""
    if link.start_on is not None:
        return StartMode.ON_DATE
    if link.start_delay is not None:
        return StartMode.AFTER_DELAY
    return StartMode.NOW


def _read_mode(value: object) -> StartMode | None:
    text = str(value or StartMode.NOW.value).strip()
    try:
        return StartMode(text)
    except ValueError:
        return None


def _read_unit(value: object) -> DelayUnit | None:
    try:
        return DelayUnit(str(value or "").strip())
    except ValueError:
        return None


def _read_count(value: object, limit: int, label: str, field: str) -> int:
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= limit:
        raise CatalogError(
            f"Enter a whole number from 1 to {limit} as the {label}.", field
        )
    return int(text)


def _read_start_on(value: object, today: date, saved: date | None) -> date:
    text = str(value or "").strip()
    if not text:
        raise CatalogError("Enter the start date, such as 2027-01-31.", "start_on")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CatalogError(
            f"{text!r} is not a valid date. Use the form YYYY-MM-DD, such as "
            "2027-01-31.",
            "start_on",
        ) from None
    if day == saved:
        return day  # the link's own date may stay after it has passed
    if day < today:
        raise CatalogError(
            f"The start date {day.isoformat()} is in the past. Choose today "
            f"({today.isoformat()}) or a later date.",
            "start_on",
        )
    if (day - today).days > MAX_START_AHEAD_DAYS:
        raise CatalogError(
            f"The start date {day.isoformat()} is more than "
            f"{MAX_START_AHEAD_DAYS} days ahead. Choose an earlier date.",
            "start_on",
        )
    return day


def link_frequency(link: PaymentLink) -> BillingFrequency | None:
    """Return the billing frequency of a saved link's recurring prices, if any."""
    for item in link.items:
        if item.price.kind is PriceKind.RECURRING:
            return item.price.frequency
    return None


def describe_recurrence(link: PaymentLink) -> str | None:
    """Describe for staff how the link's subscriptions are billed and start.

    Returns None for a link without recurring prices.
    """
    frequency = link_frequency(link)
    if frequency is None:
        return None
    parts = [f"Billed {FREQUENCY_LABELS[frequency].lower()} in {link.currency}"]
    if link.start_on is not None:
        parts.append(f"starts on {link.start_on.isoformat()}")
    elif link.start_delay is not None:
        unit = link.start_delay_unit or DelayUnit.DAYS.value
        if link.start_delay == 1:
            unit = unit.removesuffix("s")
        parts.append(f"starts {link.start_delay} {unit} after the buyer pays")
    else:
        parts.append("starts when the buyer pays")
    if link.trial_days:
        day_word = "day" if link.trial_days == 1 else "days"
        parts.append(
            f"free trial of {link.trial_days} {day_word}, then the first charge"
        )
    return "; ".join(parts) + "."
