"""Starts, trials, cancelling at period end, pauses and test clocks in the run."""

from datetime import UTC, date, datetime

from portal.billing.renewals import bill_subscription
from portal.billing.run import bill_due
from portal.models import PeriodStatus, SubscriptionStatus
from portal.subscriptions import lifecycle
from tests.billing.conftest import VISA, payments_of, periods_of, save_card, subscribe

START = date(2027, 6, 15)


def run(app, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def test_scheduled_starts_on_start_date(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db, contact, start=START, today=date(2027, 6, 1), saved_method=card
    )
    assert subscription.status is SubscriptionStatus.SCHEDULED

    assert run(app, date(2027, 6, 14)).periods_billed == 0
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.SCHEDULED

    summary = run(app, START)

    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert summary.periods_billed == 1
    [period] = periods_of(db, subscription)
    assert period.starts_on == START
    assert period.status is PeriodStatus.PAID


def test_trial_ends_into_first_charge(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db,
        contact,
        start=START,
        today=date(2027, 6, 1),
        trial_days=14,
        saved_method=card,
    )

    run(app, START)
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.TRIALING
    assert periods_of(db, subscription) == []

    run(app, date(2027, 6, 29))

    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    [period] = periods_of(db, subscription)
    assert period.starts_on == date(2027, 6, 29)
    assert period.ends_on == date(2027, 7, 29)
    assert period.status is PeriodStatus.PAID


def test_cancel_at_period_end_ends_instead(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    subscription.cancel_at_period_end = True
    db.commit()

    summary = run(app, date(2027, 8, 1))

    assert summary.periods_billed == 0
    assert summary.ended == 1
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.CANCELED
    assert subscription.next_billing_date is None
    # Midnight of the end date in Helsinki, UTC+3 in summer.
    assert subscription.ended_at == datetime(2027, 7, 14, 21, 0, tzinfo=UTC)
    assert len(periods_of(db, subscription)) == 1
    assert len(payments_of(db, subscription)) == 1


def test_paused_periods_not_billed(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    subscription.status = SubscriptionStatus.PAUSED
    db.commit()

    summary = run(app, date(2027, 9, 1))

    assert summary.periods_billed == 0
    assert len(periods_of(db, subscription)) == 1


def test_paused_cancel_ends_after_period(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    paused_at = datetime(2027, 6, 20, 9, 0, tzinfo=UTC)
    with app.app_context():
        lifecycle.pause(db, subscription, actor="staff:1", now=paused_at)
        lifecycle.cancel_at_period_end(
            db, subscription, actor="buyer", now=paused_at, reason=None
        )

    # The period paid on June 15 runs until July 15, the first day without it.
    assert run(app, date(2027, 7, 14)).ended == 0
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAUSED
    summary = run(app, date(2027, 7, 15))

    db.refresh(subscription)
    assert summary.ended == 1
    assert summary.periods_billed == 0
    assert subscription.status is SubscriptionStatus.CANCELED
    # Midnight of July 15 in Helsinki.
    assert subscription.ended_at == datetime(2027, 7, 14, 21, 0, tzinfo=UTC)
    assert len(periods_of(db, subscription)) == 1


def test_test_clock_limits_ordinary_run(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    subscription.clock_at = datetime(2027, 7, 20, 9, 0, tzinfo=UTC)
    db.commit()

    run(app, date(2027, 12, 31))

    starts = [period.starts_on for period in periods_of(db, subscription)]
    assert starts == [START, date(2027, 7, 15)]


def test_bill_subscription_follows_clock(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    subscription.clock_at = datetime(2027, 8, 15, 9, 0, tzinfo=UTC)
    db.commit()

    with app.app_context():
        summary = bill_subscription(db, subscription, date(2027, 8, 15))

    assert summary.periods_billed == 3
    assert subscription.next_billing_date == date(2027, 9, 15)
    paid_at = [period.paid_at for period in periods_of(db, subscription)]
    assert paid_at == [subscription.clock_at] * 3
