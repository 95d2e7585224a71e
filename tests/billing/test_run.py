"""The billing run bills each due period once, by charging the saved card."""

from datetime import date

from portal.billing.run import bill_due
from portal.models import (
    InvoiceStatus,
    PaymentStatus,
    PeriodStatus,
    SubscriptionStatus,
)
from tests.billing.conftest import VISA, payments_of, periods_of, save_card, subscribe

START = date(2027, 1, 31)


def run(app, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def test_first_period_charged_on_start(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, START)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.starts_on == START
    assert period.ends_on == date(2027, 2, 28)
    assert period.amount == 1900
    assert period.attempts == 1
    [payment] = payments_of(db, subscription)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 1900
    assert payment.receipt_number is not None
    assert period.payment_id == payment.id
    assert period.invoice.status is InvoiceStatus.PAID
    assert summary.periods_billed == 1
    assert summary.charged == 1


def test_second_run_bills_nothing(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, date(2027, 5, 31))

    again = run(app, date(2027, 5, 31))

    assert again.periods_billed == 0
    assert again.charged == 0
    assert len(periods_of(db, subscription)) == 5
    assert len(payments_of(db, subscription)) == 5


def test_catch_up_bills_each_missed_period(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, date(2027, 5, 31))

    starts = [period.starts_on for period in periods_of(db, subscription)]
    assert starts == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]
    assert summary.periods_billed == 5
    db.refresh(subscription)
    assert subscription.next_period == 5
    assert subscription.next_billing_date == date(2027, 6, 30)
    assert subscription.status is SubscriptionStatus.ACTIVE
