"""Billing dates: the anchor date plus a whole number of intervals.

Every date is counted from the anchor, never from the date before it. A day
that a short month lacks is clamped to that month's end in that month only,
and the next month that has the day gets it back. Monthly from 31 January
gives 28 February, then 31 March. Yearly from 29 February gives 28 February
in common years and 29 February in leap years.
"""

import calendar
from datetime import date, timedelta

from portal.models import BillingFrequency

_MONTHS = {
    BillingFrequency.MONTHLY: 1,
    BillingFrequency.QUARTERLY: 3,
    BillingFrequency.SEMIANNUALLY: 6,
    BillingFrequency.YEARLY: 12,
    BillingFrequency.EVERY_2_YEARS: 24,
    BillingFrequency.EVERY_3_YEARS: 36,
    BillingFrequency.EVERY_4_YEARS: 48,
    BillingFrequency.EVERY_5_YEARS: 60,
}
_DAYS = {BillingFrequency.WEEKLY: 7, BillingFrequency.BIWEEKLY: 14}


def interval_months(frequency: BillingFrequency) -> int | None:
    """Months in one interval, or None for a frequency counted in days."""
    return _MONTHS.get(frequency)


def interval_days(frequency: BillingFrequency) -> int | None:
    """Days in one interval, or None for a frequency counted in months."""
    return _DAYS.get(frequency)


def billing_date(anchor: date, frequency: BillingFrequency, n: int) -> date:
    """Return the billing date of period ``n``; period 0 is billed on ``anchor``."""
    if n < 0:
        raise ValueError(f"period index {n} is negative")
    days = interval_days(frequency)
    if days is not None:
        return anchor + timedelta(days=days * n)
    return add_months(anchor, _MONTHS[frequency] * n)


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months``, clamped to the end of a shorter month."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def period_index_on(anchor: date, frequency: BillingFrequency, day: date) -> int:
    """Return the index of the period that contains ``day`` (0 before the anchor)."""
    if day < anchor:
        return 0
    days = interval_days(frequency)
    if days is not None:
        return (day - anchor).days // days
    months = _MONTHS[frequency]
    n = ((day.year - anchor.year) * 12 + day.month - anchor.month) // months
    # The estimate can be one too high when day falls before the clamped date.
    while n > 0 and billing_date(anchor, frequency, n) > day:
        n -= 1
    return n
