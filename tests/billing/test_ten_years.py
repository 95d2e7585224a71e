"""Ten years of every billing frequency, checked against dates counted independently.

The expected dates come from ``dateutil.relativedelta``, which adds months
to the start date and clamps to the month's end, and from plain day counts
for weekly frequencies. For frequencies counted in months the run is asked
for each date and for the day before it, so a period billed a day early or
late fails the test. Weekly periods, which never clamp, are billed by one
catching-up run a year, which keeps the test's time down.
"""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from portal.billing.run import bill_due
from portal.models import BillingFrequency, PeriodStatus
from portal.notifications.suppression import emails_suppressed
from tests.billing.conftest import VISA, periods_of, save_card, subscribe

START = date(2017, 1, 31)
TEN_YEARS_LATER = date(2027, 1, 31)

MONTHS = {
    BillingFrequency.MONTHLY: 1,
    BillingFrequency.QUARTERLY: 3,
    BillingFrequency.SEMIANNUALLY: 6,
    BillingFrequency.YEARLY: 12,
    BillingFrequency.EVERY_2_YEARS: 24,
    BillingFrequency.EVERY_3_YEARS: 36,
    BillingFrequency.EVERY_4_YEARS: 48,
    BillingFrequency.EVERY_5_YEARS: 60,
}
DAYS = {BillingFrequency.WEEKLY: 7, BillingFrequency.BIWEEKLY: 14}


def expected_dates(start: date, frequency: BillingFrequency, until: date) -> list[date]:
    """Count billing dates without the product's schedule code."""
    dates = []
    n = 0
    while True:
        if frequency in DAYS:
            day = start + timedelta(days=DAYS[frequency] * n)
        else:
            day = start + relativedelta(months=MONTHS[frequency] * n)
        if day > until:
            return dates
        dates.append(day)
        n += 1


def run(app, as_of: date) -> int:
    with app.app_context(), emails_suppressed():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of).periods_billed


@pytest.mark.parametrize("frequency", list(BillingFrequency))
def test_ten_years_of_billing_dates(app, db, contact, processor, frequency):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db, contact, start=START, frequency=frequency, saved_method=card
    )
    expected = expected_dates(START, frequency, TEN_YEARS_LATER)

    if frequency in DAYS:
        for year in range(1, 11):
            run(app, START + relativedelta(years=year))
    else:
        for day in expected:
            assert run(app, day - timedelta(days=1)) == 0, f"billed before {day}"
            assert run(app, day) == 1, f"not billed on {day}"

    periods = periods_of(db, subscription)
    assert [period.starts_on for period in periods] == expected
    assert [period.index for period in periods] == list(range(len(expected)))
    assert all(period.status is PeriodStatus.PAID for period in periods)
    ends = [period.ends_on for period in periods]
    assert ends[:-1] == expected[1:]


def test_monthly_from_january_31(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=date(2017, 1, 31), saved_method=card)

    run(app, date(2017, 5, 31))

    starts = [period.starts_on for period in periods_of(db, subscription)]
    assert starts == [
        date(2017, 1, 31),
        date(2017, 2, 28),
        date(2017, 3, 31),
        date(2017, 4, 30),
        date(2017, 5, 31),
    ]


def test_yearly_from_february_29(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db,
        contact,
        start=date(2020, 2, 29),
        frequency=BillingFrequency.YEARLY,
        saved_method=card,
    )

    run(app, date(2024, 3, 1))

    starts = [period.starts_on for period in periods_of(db, subscription)]
    assert starts == [
        date(2020, 2, 29),
        date(2021, 2, 28),
        date(2022, 2, 28),
        date(2023, 2, 28),
        date(2024, 2, 29),
    ]
