"""Starting a subscription for staff: dates, saved methods, key races, first bill."""

import secrets
from datetime import date

import pytest
from sqlalchemy import select

from portal.billing.summary import RunSummary
from portal.contacts import ContactDetails
from portal.database import now_utc
from portal.links.recurrence import DelayUnit, RecurrenceInput
from portal.merchant.subscriptions_new import describe_start
from portal.models import (
    CollectionMethod,
    Contact,
    NetTerms,
    PeriodStatus,
    SubscriptionStatus,
)
from portal.models.subscriptions import Subscription
from portal.processors import get_processor
from portal.processors.base import CardDetails
from portal.subscriptions import staff_start
from portal.subscriptions.staff_start import (
    StaffStart,
    StaffStartResult,
    contact_methods,
    has_expired,
    start_date,
    start_for_staff,
)
from portal.subscriptions.starting import StartLine, StartTerms
from tests.factories import make_business
from tests.subscriptions.builders import (
    make_contact,
    make_recurring_price,
    make_saved_method,
)

TODAY = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("recurrence", "expected"),
    [
        (RecurrenceInput(), TODAY),
        (RecurrenceInput(start_on=date(2027, 3, 1)), date(2027, 3, 1)),
        (
            RecurrenceInput(start_delay=10, start_delay_unit=DelayUnit.DAYS),
            date(2027, 2, 10),
        ),
        (
            RecurrenceInput(start_delay=1, start_delay_unit=DelayUnit.MONTHS),
            date(2027, 2, 28),
        ),
    ],
)
def test_start_date_of_each_mode(recurrence, expected):
    assert start_date(recurrence, TODAY) == expected


@pytest.mark.parametrize(
    ("exp_month", "exp_year", "expired"),
    [(1, 2027, False), (12, 2026, True), (2, 2027, False), (None, None, False)],
)
def test_card_expiry(db, exp_month, exp_year, expired):
    method = make_saved_method(
        db, make_contact(db), customer_ref="cus_test_1", method_ref="pm_test_1"
    )
    method.exp_month = exp_month
    method.exp_year = exp_year

    assert has_expired(method, TODAY) is expired


def test_methods_of_this_processor_only(app, db):
    contact = make_contact(db)
    stripe_card = make_saved_method(
        db, contact, customer_ref="cus_live_b", method_ref="pm_live_b"
    )
    stripe_card.customer.processor = "stripe"
    stripe_card.customer.live_mode = True
    db.flush()
    test_card = make_saved_method(
        db, contact, customer_ref="cus_test_a", method_ref="pm_test_a"
    )
    other = make_saved_method(
        db, make_contact(db, "bea@example.com"), customer_ref="c", method_ref="p"
    )
    db.flush()

    with app.app_context():
        methods = contact_methods(db, contact, get_processor())

    assert methods == [test_card]
    assert other not in methods


@pytest.fixture
def request_of(db):
    """Build a ``StaffStart`` for a new contact and a monthly price, invoiced."""
    make_business(db, timezone="UTC")
    price = make_recurring_price(db, "Desk", 3100)
    db.commit()

    def build(key: str, **terms) -> StaffStart:
        today = now_utc().date()
        return StaffStart(
            contact=ContactDetails(email="cai@example.com", name="Cai Berg"),
            lines=[StartLine(price)],
            terms=StartTerms(
                start=today,
                today=today,
                collection=CollectionMethod.INVOICE,
                net_terms=NetTerms.NET_7,
                **terms,
            ),
            locale="en",
            idempotency_key=key,
        )

    return build


def test_key_committed_meanwhile_returns_it(app, db, request_of, monkeypatch):
    key = secrets.token_urlsafe(24)
    with app.app_context():
        first = start_for_staff(db, request_of(key), actor="staff:1", now=now_utc())
        # The second request's first lookup ran before the first request
        # committed, so start_subscription finds the key.
        monkeypatch.setattr(staff_start, "find_started", lambda *_args: None)
        second = start_for_staff(db, request_of(key), actor="staff:2", now=now_utc())

    assert first.created is True
    assert second.created is False
    assert second.subscription.id == first.subscription.id
    assert second.first_bill is None
    assert len(db.scalars(select(Subscription)).all()) == 1


def test_lost_insert_race_returns_winner(app, db, request_of, monkeypatch):
    key = secrets.token_urlsafe(24)
    real_start = staff_start.start_subscription
    real_find = staff_start.find_started
    lookups = []

    def find_after_race(session, found_key):
        # The first lookup ran before the other request committed.
        lookups.append(found_key)
        return None if len(lookups) == 1 else real_find(session, found_key)

    def start_without_lookup(session, **kwargs):
        # start_subscription's own lookup also missed, so the insert hits
        # the unique key.
        kwargs["idempotency_key"] = None
        subscription = real_start(session, **kwargs)
        subscription.idempotency_key = key
        session.flush()
        return subscription

    with app.app_context():
        first = start_for_staff(db, request_of(key), actor="staff:1", now=now_utc())
        monkeypatch.setattr(staff_start, "find_started", find_after_race)
        monkeypatch.setattr(staff_start, "start_subscription", start_without_lookup)
        second = start_for_staff(db, request_of(key), actor="staff:2", now=now_utc())

    assert second.created is False
    assert second.subscription.id == first.subscription.id
    assert len(lookups) == 2
    assert len(db.scalars(select(Subscription)).all()) == 1
    assert len(db.scalars(select(Contact)).all()) == 1


class FailingProcessor:
    """The test-mode processor, except that saved-method charges raise."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.live_mode = inner.live_mode

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def charge_saved_method(self, **_kwargs):
        raise RuntimeError("the processor returned something unexpected")


def test_first_bill_error_keeps_subscription(app, db):
    make_business(db, timezone="UTC")
    price = make_recurring_price(db, "Desk", 3100)
    db.commit()
    with app.app_context():
        card = get_processor().save_card(
            customer="cus_test_fail",
            details=CardDetails("4242424242424242", 12, 2040, "123"),
            idempotency_key=secrets.token_hex(8),
        )
    method = make_saved_method(
        db, make_contact(db), customer_ref="cus_test_fail", method_ref=card.id
    )
    db.commit()
    today = now_utc().date()
    request = StaffStart(
        contact=method.customer.contact,
        lines=[StartLine(price)],
        terms=StartTerms(start=today, today=today, saved_method=method),
        locale="en",
        idempotency_key=secrets.token_urlsafe(24),
    )

    with app.app_context():
        result = start_for_staff(
            db,
            request,
            actor="staff:1",
            now=now_utc(),
            processor=FailingProcessor(get_processor()),
        )
        message, category = describe_start(result)

    assert result.created is True
    assert result.first_bill == RunSummary(errors=1)
    db.expire_all()
    saved = db.get(Subscription, result.subscription.id)
    assert saved.status is SubscriptionStatus.ACTIVE
    assert saved.periods == []
    assert saved.next_period == 0
    assert category == "error"
    assert "Billing its first period failed" in message


def test_declined_first_charge_message(app, db):
    make_business(db, timezone="UTC")
    price = make_recurring_price(db, "Desk", 3100)
    db.commit()
    with app.app_context():
        # This test card is saved, and its later off-session charges decline.
        card = get_processor().save_card(
            customer="cus_test_decline",
            details=CardDetails("4000000000000341", 12, 2040, "123"),
            idempotency_key=secrets.token_hex(8),
        )
    method = make_saved_method(
        db, make_contact(db), customer_ref="cus_test_decline", method_ref=card.id
    )
    db.commit()
    today = now_utc().date()
    request = StaffStart(
        contact=method.customer.contact,
        lines=[StartLine(price)],
        terms=StartTerms(start=today, today=today, saved_method=method),
        locale="en",
        idempotency_key=secrets.token_urlsafe(24),
    )

    with app.app_context():
        result = start_for_staff(db, request, actor="staff:1", now=now_utc())
        message, category = describe_start(result)

    assert result.first_bill.failed == 1
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.subscription.periods[0].status is PeriodStatus.FAILED
    assert category == "error"
    assert message.endswith(
        "The charge of €31.00 for period 0 failed, and it is retried on the "
        "business's retry schedule."
    )


def test_result_for_scheduled_start():
    subscription = Subscription(id=7, next_billing_date=date(2027, 3, 1))

    message, category = describe_start(StaffStartResult(subscription, created=True))

    assert message == "Subscription 7 is started. It is first billed on 2027-03-01."
    assert category == "success"
