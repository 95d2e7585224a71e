"""Changing a subscription's price or quantity, and how the proration is settled."""

import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    BillingFrequency,
    Invoice,
    InvoiceStatus,
    NetTerms,
    Payment,
    PaymentStatus,
    PriceKind,
    RefundReason,
)
from portal.models.subscriptions import (
    MAX_ITEM_QUANTITY,
    CollectionMethod,
    PeriodStatus,
    SubscriptionStatus,
)
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor
from portal.processors.base import CardDetails
from portal.subscriptions import lifecycle
from portal.subscriptions.errors import (
    ChargeDeclined,
    SubscriptionError,
    SubscriptionStateError,
)
from tests.payments.builders import ensure_business, paid_payment
from tests.subscriptions.builders import (
    PeriodSpec,
    make_contact,
    make_recurring_price,
    make_saved_method,
    make_subscription,
)
from tests.subscriptions.test_lifecycle import DECEMBER, MID_JANUARY

STAFF = "staff:9"
DECLINED_LATER = "4000000000000341"  # saves, then declines off-session charges


@pytest.fixture
def business(app):
    ensure_business(app)


def saved_card(app, db, contact, number: str = "4242424242424242"):
    """Save a test-mode card for ``contact`` and record it as a saved method."""
    customer = f"cus_test_{contact.id}"
    with app.app_context():
        details = get_processor().save_card(
            customer=customer,
            details=CardDetails(number=number, exp_month=12, exp_year=2040, cvc="123"),
            idempotency_key=secrets.token_hex(8),
        )
    return make_saved_method(
        db,
        contact,
        customer_ref=customer,
        method_ref=details.id,
        brand=details.brand,
        last4=details.last4,
    )


def subscribed(app, db, *, unit_amount=3100, quantity=1, currency="EUR", **options):
    """Return an active monthly subscription whose January period was paid."""
    payment_id = paid_payment(app, amount=unit_amount * quantity, currency=currency)
    contact = db.get(Payment, payment_id).contact
    price = make_recurring_price(db, "Desk", unit_amount, currency=currency)
    subscription = make_subscription(
        db,
        price,
        contact=contact,
        quantity=quantity,
        anchor=DECEMBER,
        periods=[PeriodSpec(0), PeriodSpec(1, payment_id=payment_id)],
        **options,
    )
    db.commit()
    return subscription


def change(app, db, subscription, price, quantity):
    with app.app_context():
        return lifecycle.change_items(
            db,
            subscription,
            actor=STAFF,
            now=MID_JANUARY,
            price_id=price.id,
            quantity=quantity,
        )


def items_changed_events(db, subscription) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_id == subscription.id,
                AuditEvent.action == "subscription.items_changed",
            )
            .order_by(AuditEvent.id)
        )
    )


def test_fewer_seats_credit_balance(app, db, business):
    subscription = subscribed(app, db, quantity=2)

    proration = change(app, db, subscription, subscription.items[0].price, 1)

    assert proration.credit == 3000  # 6200 x 15/31
    assert proration.charge == 1500  # 3100 x 15/31
    assert proration.credited == 1500
    db.refresh(subscription)
    assert subscription.credit_balance == 1500
    assert subscription.items[0].quantity == 1
    [event] = items_changed_events(db, subscription)
    assert event.actor == STAFF
    assert event.details["from_quantity"] == "2"
    assert event.details["to_quantity"] == "1"
    assert event.details["net"] == "-1500"
    assert event.details["credited"] == "1500"


def test_more_seats_charge_saved_card(app, db, business):
    subscription = subscribed(app, db)
    subscription.saved_method = saved_card(app, db, subscription.contact)
    db.commit()

    proration = change(app, db, subscription, subscription.items[0].price, 3)
    repeated = change(app, db, subscription, subscription.items[0].price, 3)

    assert proration.net == 3000  # 9300 x 15/31 - 3100 x 15/31
    payment = db.get(Payment, proration.payment_id)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 3000
    assert payment.receipt_number is not None
    assert payment.card_last4 == "4242"
    assert repeated.period_index is None
    assert repeated.net == 0
    assert db.scalars(select(Payment).where(Payment.amount == 3000)).all() == [payment]
    [event] = items_changed_events(db, subscription)
    assert event.details["payment"] == str(payment.id)


def test_declined_charge_changes_nothing(app, db, business):
    subscription = subscribed(app, db)
    subscription.saved_method = saved_card(
        app, db, subscription.contact, DECLINED_LATER
    )
    db.commit()

    with pytest.raises(ChargeDeclined) as caught:
        change(app, db, subscription, subscription.items[0].price, 3)

    assert "declined" in caught.value.message
    assert caught.value.status_code == 402
    db.rollback()
    db.refresh(subscription)
    assert subscription.items[0].quantity == 1
    assert items_changed_events(db, subscription) == []


def test_invoice_collection_opens_invoice(app, db, business):
    subscription = subscribed(app, db, collection=CollectionMethod.INVOICE)
    bigger = make_recurring_price(db, "Office", 9300)
    db.commit()

    proration = change(app, db, subscription, bigger, 1)

    invoice = db.get(Invoice, proration.invoice_id)
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.total == 3000
    assert invoice.number is not None
    assert (invoice.due_date - invoice.issue_date).days == 30
    db.refresh(subscription)
    assert subscription.items[0].price_id == bigger.id
    assert subscription.items[0].unit_amount == 9300
    assert subscription.items[0].description == "Office"
    emails = [
        path.read_text(errors="replace")
        for path in Path(app.config["KASSA_OUTBOX"]).glob("*")
    ]
    assert any(invoice.number in text for text in emails)


def test_credit_capped_by_partial_refund(app, db, business):
    subscription = subscribed(app, db, quantity=2, collection=CollectionMethod.INVOICE)
    payment_id = subscription.periods[1].payment_id
    with app.app_context():
        refund_payment(
            db,
            get_processor(),
            RefundInput(
                payment_id=payment_id,
                amount=5000,
                reason=RefundReason.REQUESTED_BY_CUSTOMER,
                note=None,
                idempotency_key=secrets.token_urlsafe(24),
            ),
            actor=STAFF,
            staff_id=None,
            client_address=None,
        )

    proration = change(app, db, subscription, subscription.items[0].price, 1)

    # Unused time is worth 3000, but only 6200 - 5000 = 1200 is left paid.
    assert proration.paid == 1200
    assert proration.credit == 1200
    assert proration.charge == 1500
    assert proration.net == 300
    assert db.get(Invoice, proration.invoice_id).total == 300


def test_net_charge_needs_saved_method(app, db, business):
    subscription = subscribed(app, db)

    with pytest.raises(SubscriptionError) as caught:
        change(app, db, subscription, subscription.items[0].price, 2)

    assert "no saved payment method" in caught.value.message
    db.rollback()
    db.refresh(subscription)
    assert subscription.items[0].quantity == 1


def test_yen_change_whole_amounts(app, db, business):
    subscription = subscribed(app, db, unit_amount=1000, currency="JPY")
    bigger = make_recurring_price(db, "Office", 3100, currency="JPY")
    subscription.collection = CollectionMethod.INVOICE
    subscription.net_terms = NetTerms.NET_7
    db.commit()

    proration = change(app, db, subscription, bigger, 1)

    assert proration.currency == "JPY"
    assert proration.credit == 484  # 1000 x 15/31 = 483.87
    assert proration.charge == 1500  # 3100 x 15/31
    invoice = db.get(Invoice, proration.invoice_id)
    assert invoice.total == 1016
    assert invoice.currency == "JPY"


def test_trial_change_has_no_proration(app, db, business):
    price = make_recurring_price(db, "Desk", 3100)
    bigger = make_recurring_price(db, "Office", 9300)
    subscription = make_subscription(
        db, price, anchor=DECEMBER, status=SubscriptionStatus.TRIALING
    )
    db.commit()

    proration = change(app, db, subscription, bigger, 2)

    assert proration.period_index is None
    assert proration.net == 0
    db.refresh(subscription)
    assert subscription.items[0].quantity == 2
    [event] = items_changed_events(db, subscription)
    assert "period_index" not in event.details


def test_unpaid_current_period_blocks_change(app, db, business):
    price = make_recurring_price(db, "Desk", 3100)
    subscription = make_subscription(
        db,
        price,
        anchor=DECEMBER,
        periods=[PeriodSpec(0), PeriodSpec(1, status=PeriodStatus.OPEN)],
    )
    db.commit()

    with pytest.raises(SubscriptionStateError) as caught:
        change(app, db, subscription, price, 2)

    assert "current period is open" in caught.value.message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"currency": "USD"}, "in USD, but the subscription is billed in EUR"),
        ({"frequency": "yearly"}, "Choose a price with the same billing frequency"),
        ({"kind": "one_time"}, "Choose a recurring price"),
        ({"active": False}, "Choose an active price"),
    ],
)
def test_unfit_price_rejected(app, db, business, options, message):
    subscription = subscribed(app, db)
    other = make_recurring_price(
        db,
        "Other",
        5000,
        currency=options.get("currency", "EUR"),
        frequency=BillingFrequency(options.get("frequency", "monthly")),
    )
    if options.get("kind") == "one_time":
        other.kind = PriceKind.ONE_TIME
        other.frequency = None
    if "active" in options:
        other.active = False
    db.commit()

    with pytest.raises(SubscriptionError) as caught:
        change(app, db, subscription, other, 1)

    assert caught.value.field == "price_id"
    assert message in caught.value.message


@pytest.mark.parametrize("quantity", [0, MAX_ITEM_QUANTITY + 1])
def test_quantity_out_of_range(app, db, business, quantity):
    subscription = subscribed(app, db)

    with pytest.raises(SubscriptionError) as caught:
        change(app, db, subscription, subscription.items[0].price, quantity)

    assert caught.value.field == "quantity"
    assert f"from 1 to {MAX_ITEM_QUANTITY}" in caught.value.message


def test_quantity_limit_same_as_new(app, db, business):
    subscription = subscribed(app, db, collection=CollectionMethod.INVOICE)

    proration = change(app, db, subscription, subscription.items[0].price, 9999)

    assert MAX_ITEM_QUANTITY == 9999
    assert proration.charge > 0
    db.refresh(subscription)
    assert subscription.items[0].quantity == 9999


def test_other_contacts_item_rejected(app, db, business):
    subscription = subscribed(app, db)
    make_contact(db, "other@example.com")

    with app.app_context(), pytest.raises(SubscriptionError) as caught:
        lifecycle.change_items(
            db,
            subscription,
            actor=STAFF,
            now=MID_JANUARY,
            price_id=subscription.items[0].price_id,
            quantity=2,
            item_id=999,
        )

    assert caught.value.field == "item_id"


def test_downgrade_time_of_day(app, db, business):
    """The business's date decides the day: 23:30 UTC is already tomorrow there."""
    subscription = subscribed(app, db, quantity=2)
    late = datetime(2027, 1, 16, 23, 30, tzinfo=UTC)

    with app.app_context():
        proration = lifecycle.change_items(
            db,
            subscription,
            actor=STAFF,
            now=late,
            price_id=subscription.items[0].price_id,
            quantity=1,
        )

    assert proration.days_unused == 15
