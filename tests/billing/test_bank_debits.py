"""Saved bank accounts: a debit that settles days after the billing run."""

import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest

from portal.billing.run import bill_due
from portal.checkout.payments import settle_test_debits
from portal.database import now_utc
from portal.models import (
    PeriodStatus,
    ProcessorCustomer,
    SavedPaymentMethod,
    SubscriptionStatus,
)
from portal.processors.base import BankDetails
from tests.billing.conftest import periods_of, subscribe
from tests.fixtures.app import build_app

PUBLIC_URL = "https://pay.nordlys.example"
SETTLES = "000123456789"
FAILS = "000111111116"
START = date(2027, 3, 1)


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


def save_account(db, processor, contact, account_number: str) -> SavedPaymentMethod:
    """Save a test bank account through a first debit, as a checkout would."""
    customer_ref = processor.create_customer(
        email=contact.email, name=contact.name, idempotency_key=f"contact-{contact.id}"
    )
    intent = processor.create_payment(
        amount=100,
        currency="EUR",
        details=BankDetails(
            routing_number="110000000",
            account_number=account_number,
            holder_name="Aino Virtanen",
        ),
        idempotency_key=secrets.token_hex(8),
        description="First month",
        customer=customer_ref,
        save_method=True,
    )
    method = SavedPaymentMethod(
        customer=ProcessorCustomer(
            contact=contact,
            processor="test",
            live_mode=False,
            customer_ref=customer_ref,
        ),
        processor_ref=intent.payment_method_id,
        kind="bank_debit",
        last4=account_number[-4:],
        consent_text="I authorise debits for later periods.",
        consented_at=now_utc(),
    )
    db.add(method)
    db.commit()
    return method


def bill_and_settle(app, db, processor) -> None:
    with app.app_context():
        bill_due(app.extensions["kassa.sessionmaker"], START)
        settle_test_debits(db, processor, now_utc() + timedelta(days=30))


def test_settled_debit_pays_period(app, db, contact, processor):
    account = save_account(db, processor, contact, SETTLES)
    subscription = subscribe(db, contact, start=START, saved_method=account)

    with app.app_context():
        summary = bill_due(app.extensions["kassa.sessionmaker"], START)
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PROCESSING
    assert summary.charged == 1

    bill_and_settle(app, db, processor)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.invoice is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE


def test_failed_debit_schedules_retry(app, db, contact, processor, smtp_server):
    account = save_account(db, processor, contact, FAILS)
    subscription = subscribe(db, contact, start=START, saved_method=account)

    bill_and_settle(app, db, processor)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.next_attempt_at is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    failed = [
        received
        for received in smtp_server.messages
        if "update your payment method" in received.message["Subject"]
    ]
    assert len(failed) == 1
    text = failed[0].message.get_body(("plain",)).get_content()
    assert f"/account/subscriptions/{subscription.token}/payment-method" in text
