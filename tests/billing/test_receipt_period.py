"""Receipts of subscription payments name the period they pay for."""

from datetime import date
from pathlib import Path

import pytest

from portal.billing.run import bill_due
from tests.billing.conftest import VISA, payments_of, save_card, subscribe
from tests.documents.pdf_text import pdf_text
from tests.fixtures.app import build_app

START = date(2027, 3, 10)
# Period 1 of a monthly plan from March 10 is served from April 10 to May 9.
PERIOD = "April 10, 2027 \u2013 May 9, 2027"


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp_server):
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL="https://pay.nordlys.example",
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def run(app, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


@pytest.fixture
def renewal(app, db, contact, processor):
    """The payment of period 1, after period 0 was billed on the start date."""
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    run(app, date(2027, 4, 10))
    payments = payments_of(db, subscription)
    assert len(payments) == 2
    return payments[-1]


def test_receipt_email_names_period(renewal, smtp_server):
    receipts = [
        received
        for received in smtp_server.messages
        if received.message["Subject"] == f"Receipt from Nordlys Studio #"
        f"{renewal.receipt_number}"
    ]

    [received] = receipts
    text = received.message.get_body(("plain",)).get_content()
    html = received.message.get_body(("html",)).get_content()
    assert f"Period: {PERIOD}" in text
    assert PERIOD in html


def test_receipt_pdf_names_period(renewal, smtp_server):
    [received] = [
        received
        for received in smtp_server.messages
        if renewal.receipt_number in received.message["Subject"]
    ]
    [receipt] = [
        part
        for part in received.message.iter_attachments()
        if part.get_filename().startswith("receipt-")
    ]

    text = " ".join(pdf_text(receipt.get_content()).split())

    assert f"Period {PERIOD}" in text


def test_receipt_page_names_period(client, renewal):
    page = client.get(f"/receipts/{renewal.token}")

    assert page.status_code == 200
    assert f'id="paid-period">{PERIOD}</dd>' in page.get_data(as_text=True)


def test_first_period_receipt_names_dates(app, client, db, contact, processor):
    card = save_card(db, processor, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)
    [payment] = payments_of(db, subscription)

    page = client.get(f"/receipts/{payment.token}")

    assert 'id="paid-period">March 10, 2027 \u2013 April 9, 2027' in page.get_data(
        as_text=True
    )
