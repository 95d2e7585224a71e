"""The billing run in Stripe mode, charging saved PaymentMethods off-session.

Each card is a PaymentMethod attached to the contact's Stripe Customer by a
SetupIntent, confirmed as Stripe.js confirms it, and one test saves it
through a real checkout instead. localstripe requires authentication for
every charge of the authentication test card, off-session ones included.
"""

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.billing.run import bill_due
from portal.database import now_utc
from portal.models import (
    Payment,
    PaymentStatus,
    PeriodStatus,
    ProcessorCustomer,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from tests.billing.conftest import payments_of, periods_of, recurring_price, subscribe
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides
from tests.webhooks.events import make_event, post_event

PUBLIC_URL = "https://pay.nordlys.example"
START = date(2027, 3, 10)
VISA = "4242424242424242"
DECLINED_WHEN_CHARGED = "4000000000000341"  # saved without error, every charge declined
AUTHENTICATES = "4000002500003155"


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, localstripe: LocalStripe, smtp_server
) -> Iterator[Flask]:
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL=PUBLIC_URL,
        **stripe_overrides(localstripe),
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def save_stripe_card(db, processor, localstripe, contact, number: str):
    """Save a card to the contact's Stripe Customer and record it, then commit."""
    customer = processor.create_customer(
        email=contact.email, name=contact.name, idempotency_key=f"contact-{contact.id}"
    )
    setup = processor.create_setup_intent(
        customer=customer,
        payment_method_types=["card"],
        idempotency_key=f"setup-{number}",
    )
    card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    localstripe.call(
        "POST",
        f"/v1/setup_intents/{setup.id}/confirm",
        {
            "client_secret": setup.client_secret,
            "payment_method_data": {"type": "card", "card": card},
        },
    )
    method_id = processor.retrieve_setup_intent(setup.id).payment_method_id
    found = processor.saved_method_details(method_id)
    saved = SavedPaymentMethod(
        customer=ProcessorCustomer(
            contact=contact, processor="stripe", live_mode=False, customer_ref=customer
        ),
        processor_ref=found.id,
        kind=found.kind,
        brand=found.brand,
        last4=found.last4,
        exp_month=found.exp_month,
        exp_year=found.exp_year,
        consent_text="Save my payment details with Stripe.",
        consented_at=now_utc(),
    )
    db.add(saved)
    db.commit()
    return saved


def run(app: Flask, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def subjects(smtp_server) -> list[str]:
    return [received.message["Subject"] for received in smtp_server.messages]


def test_saved_card_is_a_stripe_customer_method(db, processor, localstripe, contact):
    saved = save_stripe_card(db, processor, localstripe, contact, VISA)

    assert saved.processor_ref.startswith("pm_")
    customer = db.scalars(select(ProcessorCustomer)).one()
    assert customer.processor == "stripe"
    assert customer.customer_ref.startswith("cus_")
    assert customer.contact_id == contact.id
    assert (saved.brand, saved.last4) == ("visa", "4242")


def test_renewal_charged_off_session(
    app, db, processor, localstripe, contact, smtp_server
):
    card = save_stripe_card(db, processor, localstripe, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, START)

    assert summary.charged == 1
    [sent] = localstripe.requests("/v1/payment_intents")
    params = sent["params"]
    assert params["off_session"] == "true"
    assert params["confirm"] == "true"
    assert params["amount"] == "1900"
    assert params["currency"] == "eur"
    assert params["customer"] == card.customer.customer_ref
    assert params["payment_method"] == card.processor_ref
    assert (
        sent["idempotency_key"] == f"subscription-{subscription.id}-period-0-attempt-1"
    )
    [payment] = payments_of(db, subscription)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.processor == "stripe"
    assert payment.processor_ref.startswith("pi_")
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert payment.receipt_number is not None
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.payment_id == payment.id
    assert period.invoice is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subjects(smtp_server)[0].startswith("Receipt from Nordlys Studio #")


def test_second_run_charges_stripe_once(app, db, processor, localstripe, contact):
    card = save_stripe_card(db, processor, localstripe, contact, VISA)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, date(2027, 5, 10))

    again = run(app, date(2027, 5, 10))

    assert again.charged == 0
    assert len(localstripe.requests("/v1/payment_intents")) == 3
    assert len(payments_of(db, subscription)) == 3


def test_declined_renewal_goes_past_due(
    app, db, processor, localstripe, contact, smtp_server
):
    card = save_stripe_card(db, processor, localstripe, contact, DECLINED_WHEN_CHARGED)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, START)

    assert summary.failed == 1
    [payment] = payments_of(db, subscription)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.processor_ref.startswith("pi_")
    assert payment.failure_message.startswith("Your card was declined")
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.next_attempt_at is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    [received] = smtp_server.messages
    assert received.message["Subject"] == (
        "Your payment to Nordlys Studio failed: update your payment method"
    )
    text = received.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/account/subscriptions/{subscription.token}/" in text


def test_declined_renewal_retried_with_new_key(
    app, db, processor, localstripe, contact
):
    card = save_stripe_card(db, processor, localstripe, contact, DECLINED_WHEN_CHARGED)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    run(app, START)

    summary = run(app, date(2027, 3, 11))

    assert summary.failed == 1
    keys = [
        sent["idempotency_key"] for sent in localstripe.requests("/v1/payment_intents")
    ]
    prefix = f"subscription-{subscription.id}-period-0"
    assert keys == [f"{prefix}-attempt-1", f"{prefix}-attempt-2"]
    [period] = periods_of(db, subscription)
    assert period.attempts == 2


def held_renewal(app, db, processor, localstripe, contact):
    """Bill a renewal that the bank holds for authentication.

    Returns the subscription and its held payment.
    """
    card = save_stripe_card(db, processor, localstripe, contact, AUTHENTICATES)
    subscription = subscribe(db, contact, start=START, saved_method=card)
    summary = run(app, START)
    assert summary.requires_action == 1
    [payment] = payments_of(db, subscription)
    return subscription, payment


def authenticate_in_stripe(localstripe, payment: Payment, *, success: bool) -> None:
    """Pass or fail the bank's check as Stripe.js does on the authentication page."""
    intent = localstripe.call("GET", f"/v1/payment_intents/{payment.processor_ref}")
    localstripe.authenticate(
        payment.processor_ref, intent["client_secret"], success=success
    )


def test_held_renewal_emails_authentication_link(
    app, db, processor, localstripe, contact, smtp_server
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)

    assert payment.status is PaymentStatus.REQUIRES_ACTION
    assert payment.processor_ref.startswith("pi_")
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.REQUIRES_ACTION
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    [received] = smtp_server.messages
    assert received.message["Subject"] == "Confirm your payment to Nordlys Studio"
    text = received.message.get_body(("plain",)).get_content()
    assert f"{PUBLIC_URL}/pay/authenticate/{payment.token}?lang=en" in text


def test_authentication_page_gives_stripe_js_the_intent(
    app, db, processor, localstripe, contact
):
    _subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    intent = localstripe.call("GET", f"/v1/payment_intents/{payment.processor_ref}")

    page = app.test_client().get(f"/pay/authenticate/{payment.token}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-client-secret="{intent["client_secret"]}"' in html
    assert "€19.00" in html


def test_authenticated_renewal_completes_period(
    app, db, processor, localstripe, contact, smtp_server
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    client = app.test_client()
    page = client.get(f"/pay/authenticate/{payment.token}").get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    authenticate_in_stripe(localstripe, payment, success=True)

    response = client.post(f"/pay/authenticate/{payment.token}", data={"token": token})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/receipts/{payment.token}")
    [paid] = payments_of(db, subscription)
    assert paid.status is PaymentStatus.SUCCEEDED
    assert paid.receipt_number is not None
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    assert period.next_attempt_at is None
    assert period.invoice is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert any(subject.startswith("Receipt from") for subject in subjects(smtp_server))


def test_failed_authentication_keeps_retry(app, db, processor, localstripe, contact):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    client = app.test_client()
    page = client.get(f"/pay/authenticate/{payment.token}").get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    authenticate_in_stripe(localstripe, payment, success=False)

    client.post(f"/pay/authenticate/{payment.token}", data={"token": token})

    [failed] = payments_of(db, subscription)
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.next_attempt_at is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE


def current_intent(subscription, payment: Payment, status: str, **fields) -> dict:
    """The renewal's PaymentIntent as Stripe sends it in an event today."""
    key = f"subscription-{subscription.id}-period-0-attempt-1"
    return {
        "id": payment.processor_ref,
        "object": "payment_intent",
        "amount": 1900,
        "currency": "eur",
        "status": status,
        "customer": "cus_current",
        "latest_charge": "ch_current",
        "payment_method": "pm_current",
        "last_payment_error": None,
        "setup_future_usage": None,
        "metadata": {"kassa_idempotency_key": key},
        **fields,
    }


def test_succeeded_event_completes_held_renewal(
    app, db, processor, localstripe, contact, smtp_server
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    event = make_event(
        "payment_intent.succeeded",
        current_intent(subscription, payment, "succeeded"),
        created=int(time.time()) + 60,
    )

    response = post_event(app.test_client(), event)

    assert response.get_json()["outcome"] == "applied"
    [paid] = payments_of(db, subscription)
    assert paid.status is PaymentStatus.SUCCEEDED
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert any(subject.startswith("Receipt from") for subject in subjects(smtp_server))


def test_authentication_required_event_keeps_hold(
    app, db, processor, localstripe, contact
):
    """Stripe reports an off-session charge that needs authentication as failed."""
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    error = {
        "code": "authentication_required",
        "decline_code": "authentication_required",
        "payment_method": {"id": "pm_current", "type": "card"},
    }
    found = current_intent(
        subscription,
        payment,
        "requires_payment_method",
        payment_method=None,
        last_payment_error=error,
    )
    event = make_event(
        "payment_intent.payment_failed", found, created=int(time.time()) + 60
    )

    response = post_event(app.test_client(), event)

    assert response.get_json()["outcome"] == "unchanged"
    [held] = payments_of(db, subscription)
    assert held.status is PaymentStatus.REQUIRES_ACTION
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.REQUIRES_ACTION


def test_failed_authentication_event_schedules_retry(
    app, db, processor, localstripe, contact
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    error = {
        "code": "payment_intent_authentication_failure",
        "payment_method": {"id": "pm_current", "type": "card"},
    }
    found = current_intent(
        subscription,
        payment,
        "requires_payment_method",
        payment_method=None,
        last_payment_error=error,
    )
    event = make_event(
        "payment_intent.payment_failed", found, created=int(time.time()) + 60
    )

    response = post_event(app.test_client(), event)

    assert response.get_json()["outcome"] == "applied"
    [failed] = payments_of(db, subscription)
    assert failed.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.next_attempt_at is not None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE


def test_reconcile_completes_held_renewal(app, db, processor, localstripe, contact):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    authenticate_in_stripe(localstripe, payment, success=True)

    result = app.test_cli_runner().invoke(args=["stripe", "reconcile"])

    assert result.exit_code == 0, result.output
    line = (
        f"Payment {payment.id} ({payment.processor_ref}): requires_action -> succeeded."
    )
    assert line in result.output
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE


def test_next_run_records_authenticated_renewal(
    app, db, processor, localstripe, contact
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)
    authenticate_in_stripe(localstripe, payment, success=True)

    summary = run(app, date(2027, 3, 11))

    assert summary.charged == 1
    assert len(localstripe.requests("/v1/payment_intents")) == 1
    [paid] = payments_of(db, subscription)
    assert paid.status is PaymentStatus.SUCCEEDED
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.PAID


def test_unauthenticated_renewal_canceled_on_retry(
    app, db, processor, localstripe, contact
):
    subscription, payment = held_renewal(app, db, processor, localstripe, contact)

    run(app, date(2027, 3, 11))

    first, second = payments_of(db, subscription)
    assert first.status is PaymentStatus.CANCELED
    stored = localstripe.call("GET", f"/v1/payment_intents/{payment.processor_ref}")
    assert stored["status"] == "canceled"
    assert second.status is PaymentStatus.REQUIRES_ACTION
    [period] = periods_of(db, subscription)
    assert period.payment_id == second.id
    assert period.attempts == 2


def test_renewal_charges_method_saved_at_checkout(
    app, db, business, localstripe, smtp_server
):
    price = recurring_price(db, 1900)
    make_link(db, slug="membership", items=[{"price": price}])
    db.commit()
    client = app.test_client()
    page = client.get("/pay/membership").get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "payment_method": localstripe.card(VISA),
        "save_payment_method": "yes",
    }
    assert client.post("/pay/membership", data=form).status_code == 303
    subscription = db.scalars(select(Subscription)).one()
    checkout_intent = localstripe.requests("/v1/payment_intents")[0]["params"]

    summary = run(app, subscription.next_billing_date)

    assert summary.charged == 1
    _checkout, renewal = localstripe.requests("/v1/payment_intents")
    assert renewal["params"]["off_session"] == "true"
    assert renewal["params"]["customer"] == checkout_intent["customer"]
    assert renewal["params"]["payment_method"] == checkout_intent["payment_method"]
    first, second = payments_of(db, subscription)
    assert first.status is PaymentStatus.SUCCEEDED
    assert second.status is PaymentStatus.SUCCEEDED
    assert second.amount == 1900
    assert [period.status for period in periods_of(db, subscription)] == [
        PeriodStatus.PAID,
        PeriodStatus.PAID,
    ]


def test_trial_card_declined_at_trial_end(app, db, business, localstripe, smtp_server):
    price = recurring_price(db, 1900)
    make_link(db, slug="trial", items=[{"price": price}], trial_days=14)
    db.commit()
    client = app.test_client()
    page = client.get("/pay/trial").get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "payment_method": localstripe.card(DECLINED_WHEN_CHARGED),
        "save_payment_method": "yes",
    }
    assert client.post("/pay/trial", data=form).status_code == 303
    subscription = db.scalars(select(Subscription)).one()
    assert subscription.status is SubscriptionStatus.TRIALING
    assert localstripe.requests("/v1/payment_intents") == []

    summary = run(app, subscription.next_billing_date)

    assert summary.failed == 1
    [renewal] = localstripe.requests("/v1/payment_intents")
    assert renewal["params"]["off_session"] == "true"
    assert renewal["params"]["payment_method"] == form["payment_method"]
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    assert subjects(smtp_server)[-1] == (
        "Your payment to Nordlys Studio failed: update your payment method"
    )
