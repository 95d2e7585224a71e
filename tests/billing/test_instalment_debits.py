"""Instalments charged to a saved bank account: settled or failed days later."""

import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from portal.checkout.payments import settle_test_debits
from portal.database import now_utc
from portal.models import (
    InstalmentStatus,
    InvoiceStatus,
    PaymentStatus,
    QuoteStatus,
    SavedPaymentMethod,
)
from portal.notifications.suppression import emails_suppressed
from portal.processors.base import BankDetails
from tests.billing.quote_instalments import accepted_quote, quote_actions, run
from tests.fixtures.app import build_app

PUBLIC_URL = "https://pay.nordlys.example"
SETTLES = "000123456789"
FAILS = "000111111116"


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


@pytest.fixture
def processor(app):
    return app.extensions["kassa.processor"]


def debit_quote(app, client, db, processor, account_number: str):
    """Return an accepted quote whose later instalments debit a bank account.

    The account is saved for the processor customer that the checkout of the
    first instalment made, through a first debit as a checkout would.
    """
    quote = accepted_quote(app, client, db)
    customer = quote.saved_method.customer
    intent = processor.create_payment(
        amount=100,
        currency="EUR",
        details=BankDetails(
            routing_number="110000000",
            account_number=account_number,
            holder_name="Aino Virtanen",
        ),
        idempotency_key=secrets.token_hex(8),
        description="Bank account check",
        customer=customer.customer_ref,
        save_method=True,
    )
    quote.saved_method = SavedPaymentMethod(
        customer=customer,
        processor_ref=intent.payment_method_id,
        kind="bank_debit",
        last4=account_number[-4:],
        consent_text="I authorise debits for the later instalments.",
        consented_at=now_utc(),
    )
    db.commit()
    return quote


def settle(app, db, processor) -> None:
    """Settle the test debits through ``db``, reloading what the run changed."""
    db.expire_all()
    with app.app_context():
        settle_test_debits(db, processor, now_utc() + timedelta(days=30))


def test_debit_processing_then_settles(app, client, db, processor):
    quote = debit_quote(app, client, db, processor, SETTLES)
    second = quote.instalments[1]

    summary = run(app, second.due_on)

    db.expire_all()
    assert summary.charged == 1
    assert second.status is InstalmentStatus.PROCESSING
    assert second.payment.status is PaymentStatus.PROCESSING
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote_actions(db, quote)[-1] == "instalment_processing"
    assert run(app, second.due_on + timedelta(days=2)).charged == 0

    settle(app, db, processor)

    db.expire_all()
    assert second.status is InstalmentStatus.PAID
    assert second.invoice.status is InvoiceStatus.PAID
    assert second.invoice.payment_id == second.payment_id
    assert quote.status is QuoteStatus.PAID


def test_failed_debit_schedules_retry(app, client, db, processor, smtp_server):
    quote = debit_quote(app, client, db, processor, FAILS)
    second = quote.instalments[1]
    with emails_suppressed():
        run(app, second.due_on)
    smtp_server.messages.clear()

    settle(app, db, processor)

    db.expire_all()
    assert second.status is InstalmentStatus.FAILED
    assert second.attempts == 1
    assert second.next_attempt_at is not None
    assert second.invoice.status is InvoiceStatus.OPEN
    assert quote_actions(db, quote)[-1] == "instalment_failed"
    subjects = [received.message["Subject"] for received in smtp_server.messages]
    assert f"Your payment to Nordlys Studio for quote {quote.number} failed" in (
        subjects
    )
    assert f"Instalment payment failed: €868.00 of quote {quote.number}" in subjects
