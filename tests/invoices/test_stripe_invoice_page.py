"""Paying a sent invoice on its hosted page in Stripe mode, against localstripe."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.models import InvoiceStatus, Payment, PaymentStatus
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.invoices.conftest import open_invoice
from tests.invoices.test_hosted_page import open_page, page_token


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


def test_invoice_page_shows_payment_element(client, db, contact, localstripe):
    invoice = open_invoice(db, contact)

    response = client.get(f"/invoices/{invoice.token}")
    html = response.get_data(as_text=True)

    assert 'id="payment-element"' in html
    assert 'data-amount="100000"' in html
    assert 'data-payment-method-types="card,sepa_debit"' in html
    assert 'name="card_number"' not in html
    assert localstripe.base_url in response.headers["Content-Security-Policy"]


def test_invoice_paid_through_stripe(client, db, contact, localstripe):
    invoice = open_invoice(db, contact)
    html = open_page(client, invoice)

    response = client.post(
        f"/invoices/{invoice.token}",
        data={
            "token": page_token(html),
            "payment_method": localstripe.card("4242424242424242"),
        },
    )

    assert response.status_code == 303
    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["amount"] == "100000"
    db.expire_all()
    [payment] = db.scalars(select(Payment)).all()
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.processor == "stripe"
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
