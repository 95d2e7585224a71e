"""Collection by invoice: an invoice with net terms on each billing date."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from portal.billing.run import bill_due
from portal.database import now_utc
from portal.invoices.lifecycle import (
    ManualPaymentInput,
    mark_paid_manually,
    void_invoice,
)
from portal.models import (
    CollectionMethod,
    InvoiceStatus,
    ManualPaymentMethod,
    NetTerms,
    PeriodStatus,
    SubscriptionStatus,
)
from tests.billing.conftest import payments_of, periods_of, subscribe
from tests.fixtures.app import build_app

PUBLIC_URL = "https://pay.nordlys.example"
# A past billing date, so that a manual payment may be dated today.
START = now_utc().date() - timedelta(days=40)


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


def invoiced(db, contact, **overrides):
    fields = {
        "start": START,
        "today": START,
        "unit_amount": 120000,
        "collection": CollectionMethod.INVOICE,
        "net_terms": NetTerms.NET_15,
        **overrides,
    }
    return subscribe(db, contact, **fields)


def test_billing_date_issues_invoice(app, db, contact, smtp_server):
    subscription = invoiced(db, contact)

    summary = run(app, START)

    [period] = periods_of(db, subscription)
    invoice = period.invoice
    assert period.status is PeriodStatus.OPEN
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.number is not None
    assert invoice.total == 120000
    assert invoice.issue_date == START
    assert invoice.due_date == START + timedelta(days=15)
    assert invoice.net_terms is NetTerms.NET_15
    assert payments_of(db, subscription) == []
    assert summary.invoiced == 1
    assert summary.periods_billed == 1
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE


def test_invoice_emailed_with_page_link(app, db, contact, smtp_server):
    subscription = invoiced(db, contact)

    run(app, START)

    [period] = periods_of(db, subscription)
    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["aino@example.com"]
    assert message["Subject"] == (
        f"Invoice {period.invoice.number} from Nordlys Studio"
    )
    text = message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/invoices/{period.invoice.token}?lang=en" in text
    assert "€1,200.00" in text


def test_paid_invoice_pays_period(app, db, contact):
    subscription = invoiced(db, contact)
    run(app, START)
    [period] = periods_of(db, subscription)

    with app.app_context():
        mark_paid_manually(
            db,
            period.invoice,
            ManualPaymentInput(
                amount=120000,
                currency="EUR",
                paid_on=now_utc().date(),
                method=ManualPaymentMethod.BANK_TRANSFER,
            ),
            actor="staff:1",
        )

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.paid_at is not None


def test_void_invoice_voids_period(app, db, contact):
    subscription = invoiced(db, contact)
    run(app, START)
    [period] = periods_of(db, subscription)

    with app.app_context():
        void_invoice(db, period.invoice, actor="staff:1")

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.VOID


def test_open_invoice_does_not_block_next(app, db, contact):
    subscription = invoiced(db, contact)

    summary = run(app, START + timedelta(days=31))

    assert summary.invoiced == 2
    periods = periods_of(db, subscription)
    assert [period.status for period in periods] == [PeriodStatus.OPEN] * 2
    numbers = {period.invoice.number for period in periods}
    assert len(numbers) == 2
