"""A Stripe-mode checkout that charges nothing today saves the card with a SetupIntent.

A free trial or a later start with nothing else to pay creates no
PaymentIntent. The page's Payment Element runs in setup mode, and the
server confirms a SetupIntent with the PaymentMethod that Stripe.js made.
"""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from portal.models import (
    BillingFrequency,
    PaymentStatus,
    Price,
    PriceKind,
    ProcessorCustomer,
    Product,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from tests.checkout.conftest import open_checkout, payments
from tests.checkout.stripe_helpers import AUTHENTICATES, VISA
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides

HELSINKI = ZoneInfo("Europe/Helsinki")
ATTACH_DECLINED = "4000000000000002"  # localstripe declines saving this card
SETTLING_IBAN = "DE89370400440532013000"


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


@pytest.fixture
def trial_link(db, business):
    """A monthly membership at 12.00 EUR with a free trial of 14 days."""
    price = Price(
        product=Product(name="Studio membership"),
        currency="EUR",
        unit_amount=1200,
        kind=PriceKind.RECURRING,
        frequency=BillingFrequency.MONTHLY,
    )
    link = make_link(
        db, slug="trial", items=[{"price": price}], trial_days=14, allow_bank_debit=True
    )
    db.commit()
    return link


def helsinki_today() -> date:
    return datetime.now(HELSINKI).date()


def subscribe(client, payment_method: str, *, consent: bool = True):
    _page, token = open_checkout(client, "trial")
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "payment_method": payment_method,
    }
    if consent:
        form["save_payment_method"] = "yes"
    return client.post("/pay/trial", data=form)


def subscriptions(db) -> list[Subscription]:
    db.expire_all()
    return list(db.scalars(select(Subscription)))


def test_page_offers_setup_mode_for_cards(client, trial_link):
    page, _token = open_checkout(client, "trial")

    assert 'id="stripe-payment"' in page
    assert 'data-mode="setup"' in page
    assert 'data-payment-method-types="card"' in page
    assert 'name="save_payment_method"' in page
    assert "Nothing is charged today." in page
    assert "cannot be started online" not in page


def test_trial_saves_card_with_setup_intent(client, db, localstripe, trial_link):
    response = subscribe(client, localstripe.card(VISA))

    assert response.status_code == 303
    assert localstripe.requests("/v1/payment_intents") == []
    [created] = localstripe.requests("/v1/setup_intents")
    customer = created["params"]["customer"]
    assert customer.startswith("cus_")
    assert created["params"]["usage"] == "off_session"
    [payment] = payments(db)
    assert payment.amount == 0
    assert payment.status is PaymentStatus.SUCCEEDED
    [subscription] = subscriptions(db)
    assert subscription.status is SubscriptionStatus.TRIALING
    assert subscription.next_billing_date == helsinki_today() + timedelta(days=14)
    saved = subscription.saved_method
    assert saved.processor_ref.startswith("pm_")
    assert (saved.kind, saved.brand, saved.last4) == ("card", "visa", "4242")
    assert "Save my payment details with Stripe" in saved.consent_text
    assert saved.customer.customer_ref == customer
    assert saved.customer.processor == "stripe"


def test_trial_without_consent_saves_nothing(client, db, localstripe, trial_link):
    response = subscribe(client, localstripe.card(VISA), consent=False)

    assert response.status_code == 422
    assert "Agree to save your payment details" in response.get_data(as_text=True)
    assert localstripe.requests("/v1/setup_intents") == []
    assert subscriptions(db) == []


def test_declined_card_starts_nothing(client, db, localstripe, trial_link):
    response = subscribe(client, localstripe.card(ATTACH_DECLINED))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your card was declined." in html
    assert 'id="payment_method-error"' in html
    assert subscriptions(db) == []
    assert list(db.scalars(select(SavedPaymentMethod))) == []


def test_bank_debit_rejected_for_trial(client, db, localstripe, trial_link):
    response = subscribe(client, localstripe.sepa_debit(SETTLING_IBAN))

    assert response.status_code == 422
    assert "a bank account can be saved only with a payment" in response.get_data(
        as_text=True
    )
    assert localstripe.requests("/v1/setup_intents") == []
    assert subscriptions(db) == []


def authenticate_setup(client, localstripe, payment, *, success: bool):
    """Run the authentication page as Stripe.js would, then post it back."""
    page = client.get(f"/pay/authenticate/{payment.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    setup_id = payment.processor_ref
    # localstripe's Stripe.js confirms the SetupIntent again when the check
    # passes, and cancels it when the check fails.
    outcome = "confirm" if success else "cancel"
    localstripe.call(
        "POST", f"/v1/setup_intents/{setup_id}/{outcome}", {"client_secret": secret}
    )
    return client.post(f"/pay/authenticate/{payment.token}", data={"token": token})


def test_card_needing_authentication_waits(client, db, localstripe, trial_link):
    response = subscribe(client, localstripe.card(AUTHENTICATES))

    [payment] = payments(db)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pay/authenticate/{payment.token}")
    assert payment.status is PaymentStatus.REQUIRES_ACTION
    assert payment.amount == 0
    assert payment.processor_ref.startswith("seti_")
    assert subscriptions(db) == []
    assert list(db.scalars(select(SavedPaymentMethod))) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "may save your card for later payments" in page
    setup = localstripe.call("GET", f"/v1/setup_intents/{payment.processor_ref}")
    assert f'data-client-secret="{setup["client_secret"]}"' in page
    assert 'data-payment-method=""' in page


def test_authenticated_card_starts_trial(client, db, localstripe, trial_link):
    subscribe(client, localstripe.card(AUTHENTICATES))
    [payment] = payments(db)

    response = authenticate_setup(client, localstripe, payment, success=True)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/receipts/{payment.token}")
    [paid] = payments(db)
    assert paid.status is PaymentStatus.SUCCEEDED
    [subscription] = subscriptions(db)
    assert subscription.status is SubscriptionStatus.TRIALING
    saved = subscription.saved_method
    assert saved.processor_ref.startswith("pm_")
    assert saved.last4 == "3155"
    assert "Save my payment details with Stripe" in saved.consent_text
    [customer] = db.scalars(select(ProcessorCustomer)).all()
    [created] = localstripe.requests("/v1/setup_intents")
    assert customer.customer_ref == created["params"]["customer"]


def test_failed_authentication_starts_nothing(client, db, localstripe, trial_link):
    subscribe(client, localstripe.card(AUTHENTICATES))
    [payment] = payments(db)

    response = authenticate_setup(client, localstripe, payment, success=False)

    assert response.status_code == 402
    assert "We could not authenticate" in response.get_data(as_text=True)
    [failed] = payments(db)
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert subscriptions(db) == []
    assert list(db.scalars(select(SavedPaymentMethod))) == []


def test_repeated_submit_saves_one_card(client, db, localstripe, trial_link):
    _page, token = open_checkout(client, "trial")
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "payment_method": localstripe.card(VISA),
        "save_payment_method": "yes",
    }

    first = client.post("/pay/trial", data=form)
    second = client.post("/pay/trial", data=form)

    assert first.status_code == 303
    assert second.status_code == 303
    assert len(localstripe.requests("/v1/setup_intents")) == 1
    assert len(subscriptions(db)) == 1
