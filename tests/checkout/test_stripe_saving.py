"""Saving the payment method, with consent, when an order is billed again later."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.models import (
    BillingFrequency,
    Price,
    PriceKind,
    ProcessorCustomer,
    Product,
    SavedPaymentMethod,
)
from tests.checkout.conftest import open_checkout, payments
from tests.checkout.stripe_helpers import VISA
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


@pytest.fixture
def membership(db, business):
    """A link for a monthly membership at 19.00 EUR."""
    price = Price(
        product=Product(name="Studio membership"),
        currency="EUR",
        unit_amount=1900,
        kind=PriceKind.RECURRING,
        frequency=BillingFrequency.MONTHLY,
    )
    link = make_link(db, slug="membership", items=[{"price": price}])
    db.commit()
    return link


def pay_membership(client, localstripe, *, consent: bool, email="aino@example.com"):
    _page, token = open_checkout(client, "membership")
    form = {
        "action": "pay",
        "token": token,
        "email": email,
        "name": "Aino Virtanen",
        "payment_method": localstripe.card(VISA),
    }
    if consent:
        form["save_payment_method"] = "yes"
    return client.post("/pay/membership", data=form)


def test_page_asks_for_consent(client, membership):
    html = client.get("/pay/membership").get_data(as_text=True)

    assert 'name="save_payment_method"' in html
    assert "let Nordlys Studio charge them for the later payments" in html
    assert 'data-save-method="true"' in html


def test_one_time_link_asks_nothing(client, kit_link):
    html = client.get("/pay/workshop-kit").get_data(as_text=True)

    assert 'name="save_payment_method"' not in html


def test_payment_without_consent_is_refused(client, db, localstripe, membership):
    response = pay_membership(client, localstripe, consent=False)

    assert response.status_code == 422
    assert "Agree to save your payment details" in response.get_data(as_text=True)
    assert payments(db) == []
    assert localstripe.requests("/v1/payment_intents") == []


def test_consent_saves_method_to_customer(client, db, localstripe, membership):
    response = pay_membership(client, localstripe, consent=True)

    assert response.status_code == 303
    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["setup_future_usage"] == "off_session"
    customer = sent["params"]["customer"]
    assert customer.startswith("cus_")
    [payment] = payments(db)
    [stored_customer] = db.scalars(select(ProcessorCustomer)).all()
    assert stored_customer.customer_ref == customer
    assert stored_customer.contact_id == payment.contact_id
    assert stored_customer.live_mode is False
    [saved] = db.scalars(select(SavedPaymentMethod)).all()
    assert saved.customer_id == stored_customer.id
    assert saved.processor_ref == sent["params"]["payment_method"]
    assert (saved.kind, saved.brand, saved.last4) == ("card", "visa", "4242")
    assert "let Nordlys Studio charge them" in saved.consent_text
    assert saved.consented_at is not None


def test_returning_buyer_keeps_one_customer(client, db, localstripe, membership):
    pay_membership(client, localstripe, consent=True)
    pay_membership(client, localstripe, consent=True, email="AINO@example.com")

    first, second = localstripe.requests("/v1/payment_intents")
    assert first["params"]["customer"] == second["params"]["customer"]
    assert len(localstripe.requests("/v1/customers")) == 1
    assert len(db.scalars(select(SavedPaymentMethod)).all()) == 2
