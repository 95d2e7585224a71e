"""The proration rule: days unused, the credit cap, rounding and JPY."""

from datetime import date

import pytest

from portal.subscriptions.proration import no_proration, prorate

JANUARY = {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 2, 1)}


def test_upgrade_mid_month():
    proration = prorate(
        currency="EUR",
        period_index=3,
        today=date(2027, 1, 17),
        old_amount=3000,
        new_amount=6000,
        paid=3000,
        **JANUARY,
    )

    assert proration.days_total == 31
    assert proration.days_unused == 15
    # 3000 x 15/31 = 1451.61 and 6000 x 15/31 = 2903.23, each rounded half-up.
    assert proration.credit == 1452
    assert proration.charge == 2903
    assert proration.net == 1451


def test_downgrade_gives_net_credit():
    proration = prorate(
        currency="EUR",
        period_index=0,
        today=date(2027, 1, 1),
        old_amount=6000,
        new_amount=3000,
        paid=6000,
        **JANUARY,
    )

    assert proration.days_unused == 31
    assert proration.credit == 6000
    assert proration.charge == 3000
    assert proration.net == -3000


def test_credit_never_exceeds_paid():
    proration = prorate(
        currency="EUR",
        period_index=0,
        today=date(2027, 1, 2),
        old_amount=6000,
        new_amount=1000,
        paid=2500,
        **JANUARY,
    )

    # Unused time at the old price would be 6000 x 30/31 = 5806.
    assert proration.credit == 2500
    assert proration.paid == 2500
    assert proration.charge == 968


def test_unpaid_period_gives_no_credit():
    proration = prorate(
        currency="EUR",
        period_index=0,
        today=date(2027, 1, 10),
        old_amount=6000,
        new_amount=1000,
        paid=0,
        **JANUARY,
    )

    assert proration.credit == 0
    assert proration.charge == 710


def test_jpy_amounts_are_whole_yen():
    proration = prorate(
        currency="JPY",
        period_index=1,
        starts_on=date(2027, 4, 1),
        ends_on=date(2027, 5, 1),
        today=date(2027, 4, 21),
        old_amount=1000,
        new_amount=3000,
        paid=1000,
    )

    assert proration.days_total == 30
    assert proration.days_unused == 10
    assert proration.credit == 333  # 333.33 yen
    assert proration.charge == 1000
    assert proration.net == 667


def test_half_minor_unit_rounds_up():
    proration = prorate(
        currency="JPY",
        period_index=0,
        starts_on=date(2027, 4, 1),
        ends_on=date(2027, 4, 5),
        today=date(2027, 4, 3),
        old_amount=101,
        new_amount=1,
        paid=101,
    )

    # 101 x 2/4 = 50.5 and 1 x 2/4 = 0.5 both round half-up.
    assert proration.credit == 51
    assert proration.charge == 1


@pytest.mark.parametrize(
    ("today", "unused"),
    [
        (date(2026, 12, 20), 31),  # before the period: all of it is unused
        (date(2027, 1, 31), 1),  # the last day is billed at the new price
        (date(2027, 2, 1), 0),  # the end date belongs to the next period
        (date(2027, 3, 1), 0),
    ],
)
def test_days_unused_stay_in_period(today, unused):
    proration = prorate(
        currency="EUR",
        period_index=0,
        today=today,
        old_amount=3100,
        new_amount=3100,
        paid=3100,
        **JANUARY,
    )

    assert proration.days_unused == unused
    assert proration.credit == 100 * unused
    assert proration.charge == 100 * unused


def test_period_without_days_is_rejected():
    with pytest.raises(ValueError, match="has no days"):
        prorate(
            currency="EUR",
            period_index=0,
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 1, 1),
            today=date(2027, 1, 1),
            old_amount=1,
            new_amount=1,
            paid=1,
        )


def test_no_proration_settles_nothing():
    proration = no_proration("EUR", 3000, 6000)

    assert proration.period_index is None
    assert proration.net == 0
    assert proration.credit == 0
    assert proration.charge == 0
