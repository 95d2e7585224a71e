"""Each period's order: items, tax, the subscription's discount and credit."""

from datetime import date
from decimal import Decimal

from portal.billing.run import bill_due
from portal.models import PaymentMethodKind, PaymentStatus, PeriodStatus
from portal.notifications.suppression import emails_suppressed
from tests.billing.conftest import VISA, payments_of, periods_of, save_card, subscribe
from tests.factories import make_discount, make_tax_rate

START = date(2027, 4, 1)


def run(app, as_of: date):
    with app.app_context(), emails_suppressed():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def test_yen_amounts_charged_whole(app, db, contact, processor):
    tax = make_tax_rate(db, "Consumption tax", 10)
    db.commit()
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db,
        contact,
        start=START,
        unit_amount=3000,
        currency="JPY",
        quantity=2,
        tax_rate=tax,
        saved_method=card,
    )

    run(app, START)

    [period] = periods_of(db, subscription)
    assert period.currency == "JPY"
    assert period.amount == 6600
    order = period.order
    assert order.subtotal == 6000
    assert order.tax_total == 600
    assert order.total == 6600
    [line] = order.lines
    assert line.unit_amount == 3000
    assert line.quantity == 2
    assert line.tax_name == "Consumption tax"
    [payment] = payments_of(db, subscription)
    assert payment.currency == "JPY"
    assert payment.amount == 6600
    intent = processor.retrieve(payment.processor_ref)
    assert intent.amount == 6600
    assert intent.currency == "JPY"


def test_discount_applies_every_period(app, db, contact, processor):
    discount = make_discount(db, None, percent=Decimal(20), name="Founders")
    db.commit()
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db, contact, start=START, discount=discount, saved_method=card
    )

    run(app, date(2027, 5, 1))

    periods = periods_of(db, subscription)
    assert [period.amount for period in periods] == [1520, 1520]
    assert periods[0].order.discount_total == 380
    assert periods[0].order.discount_id == discount.id


def test_foreign_amount_off_left_out(app, db, contact, processor):
    discount = make_discount(db, None, amount_off=500, currency="USD")
    db.commit()
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(
        db, contact, start=START, discount=discount, saved_method=card
    )

    run(app, START)

    [period] = periods_of(db, subscription)
    assert period.amount == 1900


def test_credit_used_up_first(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    subscription.credit_balance = 1000
    db.commit()

    run(app, date(2027, 5, 1))

    first, second = periods_of(db, subscription)
    assert first.credit_applied == 1000
    assert first.amount == 900
    assert second.credit_applied == 0
    assert second.amount == 1900
    assert [payment.amount for payment in payments_of(db, subscription)] == [
        900,
        1900,
    ]
    db.refresh(subscription)
    assert subscription.credit_balance == 0


def test_credit_covering_period_charges_nothing(app, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    subscription.credit_balance = 5000
    db.commit()

    run(app, START)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.amount == 0
    assert period.credit_applied == 1900
    [payment] = payments_of(db, subscription)
    assert payment.amount == 0
    assert payment.method is PaymentMethodKind.NONE
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.processor_ref is None
    db.refresh(subscription)
    assert subscription.credit_balance == 3100
