"""Payment schedules: a quote's one-time total split into instalments.

A schedule is entered either entirely in percents of the total or entirely in
amounts. Percent instalments are rounded half-up to the minor unit one by one,
and the last instalment takes whatever is left. The amounts therefore add up
to the total exactly: 5.47 split 33.34 %, 33.33 %, 33.33 % gives 1.82, 1.82
and 1.83.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from portal.models import InstalmentDue
from portal.money import format_money, round_minor

MAX_INSTALMENTS = 24
MAX_DAYS_AFTER = 3650  # ten years
# Percents are stored as NUMERIC(7, 4), so 33.3333 is the finest share.
PERCENT_PLACES = 4
HUNDRED = Decimal(100)


class ScheduleError(ValueError):
    """An invalid payment schedule, with a message that states what to fix."""


@dataclass(frozen=True, slots=True)
class InstalmentInput:
    """One instalment as staff entered it: a percent or an amount, and when it is due.

    ``days`` is set only for ``DAYS_AFTER`` and ``due_on`` only for ``ON_DATE``.
    """

    due: InstalmentDue
    percent: Decimal | None = None
    fixed_amount: int | None = None  # minor units
    days: int | None = None
    due_on: date | None = None


def split_total(
    total: int, currency: str, instalments: Sequence[InstalmentInput]
) -> list[int]:
    """Return the amount of each instalment in minor units, summing to ``total``.

    Raises ``ScheduleError`` when the schedule mixes percents and amounts, when
    percents do not add up to 100 or amounts to the total, when a part is zero
    or negative, or when rounding would leave an instalment with nothing to pay.
    """
    _check_shape(total, instalments)
    if instalments[0].percent is not None:
        return _split_by_percent(total, currency, instalments)
    return _split_by_amount(total, currency, instalments)


def _check_shape(total: int, instalments: Sequence[InstalmentInput]) -> None:
    if total <= 0:
        raise ScheduleError(
            "The one-time total is zero, so there is nothing to schedule. "
            "Remove the instalments or add a one-time line item."
        )
    if not instalments:
        raise ScheduleError("Add at least one instalment.")
    if len(instalments) > MAX_INSTALMENTS:
        raise ScheduleError(
            f"A schedule has at most {MAX_INSTALMENTS} instalments; "
            f"this one has {len(instalments)}."
        )

    for number, part in enumerate(instalments, start=1):
        if (part.percent is None) == (part.fixed_amount is None):
            raise ScheduleError(
                f"Instalment {number}: enter either a percent or an amount."
            )
        _check_due(number, part)

    by_percent = {part.percent is not None for part in instalments}
    if len(by_percent) > 1:
        raise ScheduleError(
            "Enter every instalment as a percent or every one as an amount, "
            "not a mix of both."
        )


def _check_due(number: int, part: InstalmentInput) -> None:
    if part.due is InstalmentDue.DAYS_AFTER:
        if part.days is None or not 1 <= part.days <= MAX_DAYS_AFTER:
            raise ScheduleError(
                f"Instalment {number}: enter the days after signing as a whole "
                f"number from 1 to {MAX_DAYS_AFTER}."
            )
    elif part.days is not None:
        raise ScheduleError(
            f"Instalment {number}: days after signing apply only to an "
            "instalment due that many days after signing."
        )

    if part.due is InstalmentDue.ON_DATE and part.due_on is None:
        raise ScheduleError(f"Instalment {number}: enter the date it is due.")
    if part.due is not InstalmentDue.ON_DATE and part.due_on is not None:
        raise ScheduleError(
            f"Instalment {number}: a due date applies only to an instalment "
            "due on a date."
        )


def _split_by_percent(
    total: int, currency: str, instalments: Sequence[InstalmentInput]
) -> list[int]:
    percents = [part.percent for part in instalments]
    for number, share in enumerate(percents, start=1):
        assert share is not None  # _check_shape made every part a percent
        if not share.is_finite() or share <= 0 or share > HUNDRED:
            raise ScheduleError(
                f"Instalment {number}: {share}% is invalid; enter a percent "
                "above 0 and at most 100."
            )
        if share != round(share, PERCENT_PLACES):
            raise ScheduleError(
                f"Instalment {number}: {share}% has more than {PERCENT_PLACES} "
                "decimal places."
            )

    percent_sum = sum(percents, Decimal(0))
    if percent_sum != HUNDRED:
        raise ScheduleError(
            f"The instalments add up to {percent_sum.normalize():f}%; "
            "change them to add up to exactly 100%."
        )

    leading = [round_minor(Decimal(total) * share / HUNDRED) for share in percents[:-1]]
    amounts = [*leading, total - sum(leading)]
    _check_amounts_positive(amounts, currency, total)
    return amounts


def _split_by_amount(
    total: int, currency: str, instalments: Sequence[InstalmentInput]
) -> list[int]:
    amounts = [part.fixed_amount for part in instalments]
    for number, amount in enumerate(amounts, start=1):
        assert amount is not None  # _check_shape made every part an amount
        if amount <= 0:
            raise ScheduleError(
                f"Instalment {number}: {format_money(amount, currency)} is "
                "invalid; enter an amount above zero."
            )

    amount_sum = sum(amounts)
    if amount_sum != total:
        raise ScheduleError(
            f"The instalments add up to {format_money(amount_sum, currency)} but "
            f"the one-time total is {format_money(total, currency)}; change them "
            "to add up to the total."
        )
    return amounts


def _check_amounts_positive(amounts: list[int], currency: str, total: int) -> None:
    for number, amount in enumerate(amounts, start=1):
        if amount <= 0:
            raise ScheduleError(
                f"Instalment {number} comes to {format_money(amount, currency)} "
                f"after rounding, because {format_money(total, currency)} is too "
                "small to split this way. Use fewer instalments or amounts."
            )


class DueRule(Protocol):
    """When an instalment is due: an ``InstalmentInput`` or a ``QuoteInstalment``."""

    due: InstalmentDue
    days: int | None
    due_on: date | None


def due_date(part: DueRule, accepted_on: date) -> date:
    """Return the date an instalment is due for a quote accepted on ``accepted_on``.

    ``accepted_on`` is the acceptance date in the business's time zone. Raises
    ``ScheduleError`` for a rule missing its days or date.
    """
    if part.due == InstalmentDue.ON_SIGNATURE:
        return accepted_on
    if part.due == InstalmentDue.DAYS_AFTER and part.days is not None:
        return accepted_on + timedelta(days=part.days)
    if part.due == InstalmentDue.ON_DATE and part.due_on is not None:
        return part.due_on
    raise ScheduleError(f"Instalment due {part.due} is missing its days or date.")
