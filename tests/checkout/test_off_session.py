"""A saved card charged while the customer is away, which their bank holds back."""

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.checkout.off_session import request_authentication
from portal.models import (
    Contact,
    Order,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)
from tests.checkout.stripe_helpers import AUTHENTICATES, VISA
from tests.factories import make_business
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides

TOKEN = re.compile(r'name="token" value="([^"]+)"')
SECRET = re.compile(r'data-client-secret="([^"]+)"')


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, localstripe: LocalStripe, smtp_server
) -> Iterator[Flask]:
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL="https://pay.nordlys.example",
        **stripe_overrides(localstripe),
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def charge_later(app: Flask, localstripe: LocalStripe, card: str) -> int:
    """Charge a saved card off-session and record it, as a billing run would."""
    processor = app.extensions["kassa.processor"]
    customer = processor.create_customer(
        email="aino@example.com", name="Aino Virtanen", idempotency_key="contact-1"
    )
    intent = processor.charge_saved_method(
        customer=customer,
        payment_method=localstripe.card(card),
        amount=1900,
        currency="EUR",
        idempotency_key="membership-2026-12",
        description="Studio membership, December",
    )
    with app.extensions["kassa.sessionmaker"]() as session:
        make_business(session)
        contact = Contact(email="aino@example.com", name="Aino Virtanen")
        order = Order(
            currency="EUR",
            subtotal=1900,
            discount_total=0,
            fee_total=0,
            tax_total=0,
            total=1900,
            billing_email="aino@example.com",
            billing_name="Aino Virtanen",
        )
        payment = Payment(
            token=secrets.token_urlsafe(24),
            contact=contact,
            order=order,
            currency="EUR",
            amount=1900,
            status=intent.status,
            method=PaymentMethodKind.CARD,
            card_brand=intent.card_brand,
            card_last4=intent.last4,
            processor="stripe",
            processor_ref=intent.id,
        )
        session.add(payment)
        session.commit()
        return payment.id


def test_held_charge_emails_authentication_link(app, db, localstripe, smtp_server):
    payment_id = charge_later(app, localstripe, AUTHENTICATES)
    payment = db.get(Payment, payment_id)
    assert payment.status is PaymentStatus.REQUIRES_ACTION

    with app.app_context():
        sent = request_authentication(payment)

    assert sent is True
    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["aino@example.com"]
    assert message["Subject"] == "Confirm your payment to Nordlys Studio"
    text = message.get_body(("plain",)).get_content()
    assert "€19.00" in text
    assert "Nothing has been charged yet." in text
    link = f"https://pay.nordlys.example/pay/authenticate/{payment.token}?lang=en"
    assert link in text
    assert link in message.get_body(("html",)).get_content()


def test_link_completes_the_payment(app, client, db, localstripe):
    payment_id = charge_later(app, localstripe, AUTHENTICATES)
    payment = db.get(Payment, payment_id)
    path = f"/pay/authenticate/{payment.token}"

    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    localstripe.authenticate(
        payment.processor_ref, SECRET.search(html).group(1), success=True
    )
    done = client.post(path, data={"token": TOKEN.search(html).group(1)})

    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/receipts/{payment.token}")
    db.expire_all()
    paid = db.get(Payment, payment_id)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert paid.receipt_number == "RCT-000001"


def test_paid_charge_needs_no_email(app, db, localstripe, smtp_server):
    payment_id = charge_later(app, localstripe, VISA)
    payment = db.get(Payment, payment_id)
    assert payment.status is PaymentStatus.SUCCEEDED

    with app.app_context(), pytest.raises(ValueError, match="not requires_action"):
        request_authentication(payment)

    assert smtp_server.messages == []
