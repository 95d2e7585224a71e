"""Splitting a quote's one-time total into instalments."""

import random
from datetime import date
from decimal import Decimal

import pytest

from portal.models import InstalmentDue
from portal.quotes.schedule import (
    MAX_INSTALMENTS,
    InstalmentInput,
    ScheduleError,
    due_date,
    split_total,
)

ON_SIGNATURE = InstalmentDue.ON_SIGNATURE


def by_percent(*percents: str) -> list[InstalmentInput]:
    return [InstalmentInput(ON_SIGNATURE, percent=Decimal(p)) for p in percents]


def by_amount(*amounts: int) -> list[InstalmentInput]:
    return [InstalmentInput(ON_SIGNATURE, fixed_amount=a) for a in amounts]


def test_thirds_put_remainder_last():
    amounts = split_total(547, "EUR", by_percent("33.34", "33.33", "33.33"))

    assert amounts == [182, 182, 183]


def test_half_up_rounding_per_instalment():
    # 25% of 0.10 is 2.5 cents, rounded up to 3; the last takes the rest.
    amounts = split_total(10, "EUR", by_percent("25", "25", "50"))

    assert amounts == [3, 3, 4]


def test_single_instalment_is_whole_total():
    assert split_total(12345, "EUR", by_percent("100")) == [12345]


def test_jpy_has_no_minor_unit():
    amounts = split_total(1000, "JPY", by_percent("33.3333", "33.3333", "33.3334"))

    assert amounts == [333, 333, 334]


def test_amounts_taken_as_entered():
    assert split_total(547, "EUR", by_amount(100, 200, 247)) == [100, 200, 247]


def test_percents_not_summing_to_100():
    with pytest.raises(ScheduleError) as error:
        split_total(547, "EUR", by_percent("50", "40"))

    assert "add up to 90%" in str(error.value)
    assert "exactly 100%" in str(error.value)


def test_amounts_not_summing_to_total():
    with pytest.raises(ScheduleError) as error:
        split_total(547, "EUR", by_amount(100, 200))

    assert "€3.00" in str(error.value)
    assert "€5.47" in str(error.value)


@pytest.mark.parametrize("share", ["0", "-10", "100.5"])
def test_percent_out_of_range(share):
    with pytest.raises(ScheduleError, match=r"Instalment 1: .* is invalid"):
        split_total(547, "EUR", by_percent(share, "50"))


def test_percent_with_too_many_places():
    with pytest.raises(ScheduleError, match="more than 4 decimal places"):
        split_total(547, "EUR", by_percent("33.33333", "66.66667"))


@pytest.mark.parametrize("amount", [0, -100])
def test_amount_zero_or_negative(amount):
    with pytest.raises(ScheduleError, match=r"Instalment 2: .* enter an amount above"):
        split_total(547, "EUR", by_amount(547, amount))


def test_total_too_small_to_split():
    # 25% of 0.02 rounds up to 0.01 three times, which leaves -0.01 for the last.
    with pytest.raises(ScheduleError, match="Instalment 4 comes to"):
        split_total(2, "EUR", by_percent("25", "25", "25", "25"))


def test_mixed_percent_and_amount():
    parts = [
        InstalmentInput(ON_SIGNATURE, percent=Decimal(50)),
        InstalmentInput(ON_SIGNATURE, fixed_amount=200),
    ]

    with pytest.raises(ScheduleError, match="not a mix of both"):
        split_total(400, "EUR", parts)


def test_instalment_with_neither_percent_nor_amount():
    with pytest.raises(ScheduleError, match="either a percent or an amount"):
        split_total(400, "EUR", [InstalmentInput(ON_SIGNATURE)])


def test_empty_schedule():
    with pytest.raises(ScheduleError, match="at least one instalment"):
        split_total(400, "EUR", [])


def test_zero_total():
    with pytest.raises(ScheduleError, match="nothing to schedule"):
        split_total(0, "EUR", by_percent("100"))


def test_too_many_instalments():
    parts = by_amount(*([1] * (MAX_INSTALMENTS + 1)))

    with pytest.raises(ScheduleError, match=f"at most {MAX_INSTALMENTS}"):
        split_total(MAX_INSTALMENTS + 1, "EUR", parts)


def test_days_after_needs_days():
    parts = [InstalmentInput(InstalmentDue.DAYS_AFTER, percent=Decimal(100))]

    with pytest.raises(ScheduleError, match="days after signing"):
        split_total(400, "EUR", parts)


def test_on_date_needs_date():
    parts = [InstalmentInput(InstalmentDue.ON_DATE, percent=Decimal(100))]

    with pytest.raises(ScheduleError, match="enter the date it is due"):
        split_total(400, "EUR", parts)


def test_due_dates_from_acceptance():
    accepted = date(2027, 1, 31)
    now = InstalmentInput(ON_SIGNATURE, percent=Decimal(50))
    later = InstalmentInput(InstalmentDue.DAYS_AFTER, percent=Decimal(25), days=30)
    fixed = InstalmentInput(
        InstalmentDue.ON_DATE, percent=Decimal(25), due_on=date(2027, 6, 1)
    )

    assert due_date(now, accepted) == date(2027, 1, 31)
    assert due_date(later, accepted) == date(2027, 3, 2)
    assert due_date(fixed, accepted) == date(2027, 6, 1)


def random_percents(rng: random.Random, count: int) -> list[Decimal]:
    """Return ``count`` positive percents with 0-4 places that add up to 100."""
    places = rng.randint(0, 4)
    units = 100 * 10**places
    cuts = sorted(rng.sample(range(1, units), count - 1))
    edges = [0, *cuts, units]
    step = Decimal(1).scaleb(-places)
    return [(edges[i + 1] - edges[i]) * step for i in range(count)]


@pytest.mark.parametrize("currency", ["EUR", "JPY"])
def test_every_schedule_sums_to_total(currency):
    rng = random.Random(f"quote-schedule-{currency}")
    checked = 0

    for _ in range(3000):
        total = rng.choice([rng.randint(1, 100), rng.randint(1, 10**9)])
        count = rng.randint(1, min(MAX_INSTALMENTS, 12))
        percents = random_percents(rng, count)
        parts = [InstalmentInput(ON_SIGNATURE, percent=p) for p in percents]

        try:
            amounts = split_total(total, currency, parts)
        except ScheduleError as error:
            # Only a total too small for the split may be rejected.
            assert "too small to split" in str(error)
            continue

        assert sum(amounts) == total
        assert len(amounts) == count
        assert all(amount > 0 for amount in amounts)
        checked += 1

    assert checked > 2000
