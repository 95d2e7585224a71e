"""Receipts, authentication links and renewal reminders, through a real SMTP server."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from portal.billing.run import bill_due
from portal.checkout.payments import authenticate_payment
from portal.models import (
    BillingFrequency,
    PaymentStatus,
    PeriodStatus,
    SubscriptionStatus,
)
from tests.billing.conftest import (
    AUTHENTICATES,
    VISA,
    payments_of,
    periods_of,
    save_card,
    subscribe,
)
from tests.factories import make_tax_rate
from tests.fixtures.app import build_app

PUBLIC_URL = "https://pay.nordlys.example"
START = date(2027, 3, 10)


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp_server):
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL=PUBLIC_URL,
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def run(app, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def test_charge_emails_receipt(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, VISA)
    subscribe(db, contact, start=START, saved_method=card)

    run(app, START)

    buyer, merchant = smtp_server.messages
    assert buyer.recipients == ["aino@example.com"]
    assert buyer.message["Subject"].startswith("Receipt from Nordlys Studio #")
    text = buyer.message.get_body(("plain",)).get_content()
    assert "Thank you for your payment of €19.00 to Nordlys Studio." in text
    attachments = [part.get_filename() for part in buyer.message.iter_attachments()]
    assert len(attachments) == 2
    assert attachments[0].startswith("receipt-")
    assert attachments[1].startswith("invoice-")
    assert merchant.recipients == ["sales@nordlys.example"]


def test_receipt_for_every_renewal(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, VISA)
    subscribe(db, contact, start=START, saved_method=card)

    run(app, date(2027, 5, 10))

    receipts = [
        received
        for received in smtp_server.messages
        if received.message["Subject"].startswith("Receipt from")
    ]
    assert len(receipts) == 3


def test_held_charge_emails_authentication(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, AUTHENTICATES)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, START)

    assert summary.requires_action == 1
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.REQUIRES_ACTION
    [payment] = payments_of(db, subscription)
    assert payment.status is PaymentStatus.REQUIRES_ACTION
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    [received] = smtp_server.messages
    assert received.message["Subject"] == "Confirm your payment to Nordlys Studio"
    text = received.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/pay/authenticate/{payment.token}?lang=en" in text


def test_authenticated_charge_pays_period(app, db, contact, processor):
    card = save_card(db, processor, contact, AUTHENTICATES)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    [payment] = payments_of(db, subscription)

    client = app.test_client()
    page = client.get(f"/pay/authenticate/{payment.token}")
    assert page.status_code == 200
    processor.complete_action(payment.processor_ref, approved=True)
    with app.app_context():
        summary = run(app, date(2027, 3, 11))

    assert summary.charged == 1
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert len(payments_of(db, subscription)) == 1
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE


def test_unauthenticated_charge_is_replaced(app, db, contact, processor):
    card = save_card(db, processor, contact, AUTHENTICATES)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)

    run(app, date(2027, 3, 11))

    first, second = payments_of(db, subscription)
    assert first.status is PaymentStatus.CANCELED
    assert second.status is PaymentStatus.REQUIRES_ACTION
    [period] = periods_of(db, subscription)
    assert period.payment_id == second.id
    assert period.attempts == 2


def yearly(db, contact, processor, **overrides):
    card = save_card(db, processor, contact, VISA)
    fields = {
        "start": START,
        "unit_amount": 24000,
        "frequency": BillingFrequency.YEARLY,
        "saved_method": card,
        **overrides,
    }
    return subscribe(db, contact, **fields)


def reminders(smtp_server):
    return [
        received
        for received in smtp_server.messages
        if "renews on" in received.message["Subject"]
    ]


def test_reminder_before_yearly_renewal(app, db, contact, processor, smtp_server):
    subscription = yearly(db, contact, processor)
    run(app, START)

    assert run(app, date(2028, 2, 24)).reminders == 0
    summary = run(app, date(2028, 2, 25))

    assert summary.reminders == 1
    [received] = reminders(smtp_server)
    message = received.message
    assert message["Subject"] == (
        "Your subscription to Nordlys Studio renews on March 10, 2028"
    )
    text = message.get_body(("plain",)).get_content()
    assert "renews on March 10, 2028 for €240.00" in text
    assert f"{PUBLIC_URL}/account/subscriptions/{subscription.token}" in text
    db.refresh(subscription)
    assert subscription.reminded_period == 1


def test_reminder_sent_once_per_period(app, db, contact, processor, smtp_server):
    yearly(db, contact, processor)
    run(app, START)

    for day in (25, 26, 27):
        run(app, date(2028, 2, day))
    run(app, date(2028, 3, 10))
    run(app, date(2029, 2, 25))

    assert len(reminders(smtp_server)) == 2


def trial_reminders(smtp_server):
    return [
        received
        for received in smtp_server.messages
        if "free trial" in received.message["Subject"]
    ]


def test_reminder_before_charge_after_trial(app, db, contact, processor, smtp_server):
    # A 30-day trial from March 10 ends with the first charge on April 9.
    subscription = yearly(db, contact, processor, trial_days=30)
    run(app, START)

    assert run(app, date(2027, 3, 25)).reminders == 0
    summary = run(app, date(2027, 3, 26))

    assert summary.reminders == 1
    [received] = trial_reminders(smtp_server)
    message = received.message
    assert message["Subject"] == (
        "Your free trial with Nordlys Studio ends on April 9, 2027"
    )
    text = message.get_body(("plain",)).get_content()
    assert "ends on April 9, 2027. Your subscription then starts at €240.00." in text
    assert "Your saved payment method will be charged on that day." in text
    html = message.get_body(("html",)).get_content()
    assert "Your free trial ends soon" in html
    db.refresh(subscription)
    assert subscription.reminded_period == 0


def test_trial_reminder_sent_once(app, db, contact, processor, smtp_server):
    yearly(db, contact, processor, trial_days=30)
    run(app, START)

    for day in (26, 27, 28):
        run(app, date(2027, 3, day))
    summary = run(app, date(2027, 4, 9))

    assert summary.periods_billed == 1
    assert summary.reminders == 0
    assert len(trial_reminders(smtp_server)) == 1
    assert reminders(smtp_server) == []
    # The first renewal, a year after the trial, is announced as usual.
    assert run(app, date(2028, 3, 26)).reminders == 1
    assert len(reminders(smtp_server)) == 1


def test_no_reminder_before_monthly(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, VISA)
    subscribe(db, contact, start=START, saved_method=card)
    run(app, START)

    assert run(app, date(2027, 4, 5)).reminders == 0
    assert reminders(smtp_server) == []


def test_reminder_days_from_settings(app, db, business, contact, processor):
    business.renewal_reminder_days = 30
    db.commit()
    yearly(db, contact, processor, unit_amount=10000)
    run(app, START)

    assert run(app, date(2028, 2, 9)).reminders == 1


def test_reminder_amount_after_tax(app, db, contact, processor, smtp_server):
    vat = make_tax_rate(db, "VAT", Decimal("25.5"))
    db.commit()
    yearly(db, contact, processor, unit_amount=10000, tax_rate=vat)
    run(app, START)
    run(app, date(2028, 3, 1))

    [received] = reminders(smtp_server)
    text = received.message.get_body(("plain",)).get_content()
    assert "for €125.50" in text


def test_authentication_page_pays_period(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, AUTHENTICATES)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    [payment] = payments_of(db, subscription)

    with app.app_context():
        authenticate_payment(
            db, processor, payment, approved=True, client_address="127.0.0.1"
        )

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.invoice is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert smtp_server.messages[-2].message["Subject"].startswith("Receipt from")
