"""Starting a subscription: status, anchor, trial, first period, idempotency."""

from datetime import date

import pytest

from portal.database import now_utc
from portal.models import (
    AuditEvent,
    BillingFrequency,
    CollectionMethod,
    NetTerms,
    Payment,
    PeriodStatus,
    SubscriptionStatus,
)
from portal.subscriptions.starting import (
    StartError,
    StartLine,
    StartTerms,
    start_subscription,
)
from tests.factories import make_product_price
from tests.payments.builders import paid_payment
from tests.subscriptions.builders import make_contact, make_recurring_price

TODAY = date(2026, 12, 4)


def start(db, lines, terms, **kwargs):
    subscription = start_subscription(
        db,
        contact=kwargs.pop("contact", None) or make_contact(db),
        lines=lines,
        terms=terms,
        actor="staff:1",
        locale="en",
        now=now_utc(),
        **kwargs,
    )
    db.commit()
    return subscription


def test_start_today_bills_period_zero_today(db):
    price = make_recurring_price(db, "Membership", 1200)

    subscription = start(db, [StartLine(price, 2)], StartTerms(TODAY, TODAY))

    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.anchor_date == TODAY
    assert subscription.next_period == 0
    assert subscription.next_billing_date == TODAY
    assert [
        (item.description, item.quantity, item.unit_amount)
        for item in subscription.items
    ] == [("Membership", 2, 1200)]
    event = db.query(AuditEvent).filter_by(subject_type="subscription").one()
    assert (event.action, event.to_state) == ("subscription_started", "active")


def test_future_start_is_scheduled(db):
    price = make_recurring_price(db, "Membership", 1200)

    subscription = start(db, [StartLine(price)], StartTerms(date(2027, 1, 31), TODAY))

    assert subscription.status is SubscriptionStatus.SCHEDULED
    assert subscription.next_billing_date == date(2027, 1, 31)


def test_trial_moves_anchor_to_its_end(db):
    price = make_recurring_price(db, "Membership", 1200)

    subscription = start(
        db, [StartLine(price)], StartTerms(TODAY, TODAY, trial_days=14)
    )

    assert subscription.status is SubscriptionStatus.TRIALING
    assert subscription.trial_end == date(2026, 12, 18)
    assert subscription.anchor_date == date(2026, 12, 18)
    assert subscription.next_billing_date == date(2026, 12, 18)


def test_checkout_payment_pays_period_zero(app, db):
    payment_id = paid_payment(app, amount=1500)
    payment = db.get(Payment, payment_id)
    price = make_recurring_price(db, "Membership", 1500)
    payment.order.items[0].price_id = price.id
    today = payment.created_at.date()

    subscription = start(
        db, [StartLine(price)], StartTerms(today, today), first_payment=payment
    )

    period = subscription.periods[0]
    assert (period.index, period.status, period.amount) == (0, PeriodStatus.PAID, 1500)
    assert period.payment_id == payment.id
    assert subscription.next_period == 1
    assert subscription.next_billing_date == period.ends_on


def test_trial_leaves_checkout_payment_out(app, db):
    payment_id = paid_payment(app, amount=500)
    payment = db.get(Payment, payment_id)
    price = make_recurring_price(db, "Membership", 1500)
    today = payment.created_at.date()

    subscription = start(
        db,
        [StartLine(price)],
        StartTerms(today, today, trial_days=7),
        first_payment=payment,
    )

    assert subscription.periods == []
    assert subscription.next_period == 0


def test_same_key_starts_one_subscription(db):
    price = make_recurring_price(db, "Membership", 1200)
    contact = make_contact(db)
    terms = StartTerms(TODAY, TODAY)

    first = start(db, [StartLine(price)], terms, contact=contact, idempotency_key="k")
    again = start(db, [StartLine(price)], terms, contact=contact, idempotency_key="k")

    assert again.id == first.id


def test_invoice_collection_keeps_its_terms(db):
    price = make_recurring_price(
        db, "Retainer", 90000, frequency=BillingFrequency.QUARTERLY
    )
    terms = StartTerms(
        TODAY, TODAY, collection=CollectionMethod.INVOICE, net_terms=NetTerms.NET_15
    )

    subscription = start(db, [StartLine(price)], terms)

    assert subscription.collection is CollectionMethod.INVOICE
    assert subscription.net_terms is NetTerms.NET_15


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda db: [], "at least one recurring price"),
        (
            lambda db: [StartLine(make_product_price(db, "Poster", 900))],
            "Only recurring",
        ),
        (
            lambda db: [
                StartLine(make_recurring_price(db, "A", 100)),
                StartLine(make_recurring_price(db, "B", 100, currency="USD")),
            ],
            "one currency",
        ),
        (
            lambda db: [
                StartLine(make_recurring_price(db, "A", 100)),
                StartLine(
                    make_recurring_price(
                        db, "B", 100, frequency=BillingFrequency.YEARLY
                    )
                ),
            ],
            "equally often",
        ),
    ],
)
def test_lines_that_cannot_be_subscribed_to_are_refused(db, build, message):
    with pytest.raises(StartError, match=message):
        start(db, build(db), StartTerms(TODAY, TODAY))


@pytest.mark.parametrize("quantity", [0, 10_000])
def test_quantity_out_of_range_refused(db, quantity):
    price = make_recurring_price(db, "Membership", 1200)

    with pytest.raises(StartError, match="from 1 to 9999"):
        start(db, [StartLine(price, quantity)], StartTerms(TODAY, TODAY))


def test_a_start_in_the_past_is_refused(db):
    price = make_recurring_price(db, "Membership", 1200)

    with pytest.raises(StartError, match="today or later"):
        start(db, [StartLine(price)], StartTerms(date(2026, 12, 3), TODAY))


def test_invoice_collection_needs_terms(db):
    price = make_recurring_price(db, "Membership", 1200)
    terms = StartTerms(TODAY, TODAY, collection=CollectionMethod.INVOICE)

    with pytest.raises(StartError, match="payment terms"):
        start(db, [StartLine(price)], terms)
