"""Paying a payment link with a recurring price in test mode starts a subscription."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy import select

from portal.billing.schedule import add_months
from portal.models import (
    BillingFrequency,
    Business,
    CheckoutAttempt,
    PaymentStatus,
    PeriodStatus,
    Price,
    PriceKind,
    Product,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from tests.checkout.conftest import (
    VALID_CARD,
    checkout_token,
    open_checkout,
    payments,
    text_of,
)
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.smtp import smtp_server  # noqa: F401

HELSINKI = ZoneInfo("Europe/Helsinki")


def monthly_price(name="Studio membership", amount=1200, currency="EUR", **fields):
    return Price(
        product=Product(name=name),
        currency=currency,
        unit_amount=amount,
        kind=PriceKind.RECURRING,
        frequency=fields.pop("frequency", BillingFrequency.MONTHLY),
    )


@pytest.fixture
def membership(db, business):
    """A monthly membership at 12.00 EUR with a one-time 20.00 EUR starter pack."""
    link = make_link(
        db,
        slug="membership",
        items=[
            {"price": monthly_price()},
            {"name": "Starter pack", "unit_amount": 2000},
        ],
    )
    db.commit()
    return link


def helsinki_today() -> date:
    return datetime.now(HELSINKI).date()


def long(day: date) -> str:
    """Return a date as the English checkout writes it, such as "March 4, 2027"."""
    return format_date(day, "long", locale="en")


def subscribe_form(token: str, **overrides) -> dict[str, str]:
    form = {
        "action": "pay",
        "token": token,
        "email": "aino@example.com",
        "name": "Aino Virtanen",
        "save_payment_method": "yes",
        **VALID_CARD,
    }
    for name, value in overrides.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


def subscribe(client, slug="membership", **overrides):
    _page, token = open_checkout(client, slug)
    return client.post(f"/pay/{slug}", data=subscribe_form(token, **overrides))


def subscriptions(db) -> list[Subscription]:
    db.expire_all()
    return list(db.scalars(select(Subscription).order_by(Subscription.id)))


def test_page_says_what_is_charged_today(client, db, membership):
    page, _token = open_checkout(client, "membership")

    next_date = add_months(helsinki_today(), 1)
    assert text_of(page, "due-today") == "Due today: €32.00."
    assert text_of(page, "recurring-amount") == (
        f"Then €12.00 every month. The next payment is on {long(next_date)}."
    )
    assert "€12.00 each, every month" in page
    assert 'name="save_payment_method"' in page
    assert "let Nordlys Studio charge them for the later payments" in page


def test_paying_monthly_link_starts_subscription(client, db, membership):
    response = subscribe(client)

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 3200
    [subscription] = subscriptions(db)
    today = helsinki_today()
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.currency == "EUR"
    assert subscription.frequency is BillingFrequency.MONTHLY
    assert subscription.start_date == today
    assert subscription.anchor_date == today
    assert subscription.next_period == 1
    assert subscription.next_billing_date == add_months(today, 1)
    assert subscription.contact_id == payment.contact_id
    assert subscription.link_id == membership.id
    assert subscription.created_by == "buyer"
    [item] = subscription.items
    assert (item.description, item.quantity, item.unit_amount) == (
        "Studio membership",
        1,
        1200,
    )
    [period] = subscription.periods
    assert period.index == 0
    assert period.status is PeriodStatus.PAID
    assert period.payment_id == payment.id
    assert period.amount == 1200
    assert subscription.saved_method is not None
    assert subscription.saved_method.last4 == "4242"
    assert "Nordlys Studio" in subscription.saved_method.consent_text


def test_authenticated_card_starts_subscription_and_is_saved(client, db, membership):
    submitted = subscribe(client, card_number="4000 0025 0000 3155")
    authenticate_url = submitted.headers["Location"]
    html = client.get(authenticate_url).get_data(as_text=True)
    assert subscriptions(db) == []

    approved = client.post(
        authenticate_url, data={"token": checkout_token(html), "decision": "approve"}
    )

    assert approved.status_code == 303
    [subscription] = subscriptions(db)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.periods[0].status is PeriodStatus.PAID
    assert subscription.saved_method is not None
    assert subscription.saved_method.last4 == "3155"


def test_subscription_uses_attempt_key(client, db, membership):
    _page, token = open_checkout(client, "membership")
    client.post("/pay/membership", data=subscribe_form(token))

    [subscription] = subscriptions(db)
    [attempt] = db.scalars(select(CheckoutAttempt))
    assert subscription.idempotency_key == attempt.key


def test_consent_is_required(client, db, membership):
    response = subscribe(client, save_payment_method=None)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Agree to save your payment details" in page
    assert payments(db) == []
    assert subscriptions(db) == []


def test_receipt_shows_subscription(client, db, membership):
    response = subscribe(client)

    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text_of(receipt, "subscription-recurs") == "€12.00 every month"
    assert text_of(receipt, "subscription-next-billing") == long(
        add_months(helsinki_today(), 1)
    )
    assert 'id="account-link" href="http://localhost/account/"' in receipt


@pytest.fixture
def trial_link(db, business):
    link = make_link(
        db, slug="trial", items=[{"price": monthly_price()}], trial_days=14
    )
    db.commit()
    return link


def test_trial_page_charges_nothing_today(client, db, trial_link):
    page, _token = open_checkout(client, "trial")

    trial_end = helsinki_today() + timedelta(days=14)
    assert text_of(page, "due-today") == "Due today: €0.00."
    assert (
        text_of(page, "trial-end") == f"Free trial of 14 days, until {long(trial_end)}."
    )
    assert text_of(page, "recurring-amount") == (
        f"Then €12.00 every month, first charged on {long(trial_end)}."
    )
    assert 'name="card_number"' in page
    assert ">Subscribe<" in page


def test_trial_saves_card_without_charge(client, db, trial_link):
    response = subscribe(client, "trial")

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 0
    assert payment.status is PaymentStatus.SUCCEEDED
    [subscription] = subscriptions(db)
    trial_end = helsinki_today() + timedelta(days=14)
    assert subscription.status is SubscriptionStatus.TRIALING
    assert subscription.trial_end == trial_end
    assert subscription.next_period == 0
    assert subscription.next_billing_date == trial_end
    assert subscription.periods == []
    saved = subscription.saved_method
    assert saved is not None
    assert (saved.brand, saved.last4) == ("visa", "4242")
    assert saved.processor_ref.startswith("pm_test_")


def test_trial_with_declined_card_starts_nothing(client, db, trial_link):
    response = subscribe(client, "trial", card_number="4000 0000 0000 0002")

    assert response.status_code == 422
    assert "Your card was declined." in response.get_data(as_text=True)
    assert subscriptions(db) == []
    assert list(db.scalars(select(SavedPaymentMethod))) == []


def test_trial_rejects_bank_debit(client, db, trial_link):
    response = subscribe(
        client,
        "trial",
        method="bank_debit",
        routing_number="110000000",
        account_number="000123456789",
        account_holder="Aino Virtanen",
    )

    assert "a bank account can be saved only with a payment" in response.get_data(
        as_text=True
    )
    assert subscriptions(db) == []


def test_future_start_is_scheduled(client, db, business):
    start = helsinki_today() + timedelta(days=30)
    make_link(
        db,
        slug="later",
        items=[
            {"price": monthly_price()},
            {"name": "Welcome kit", "unit_amount": 1500},
        ],
        start_on=start,
    )
    db.commit()

    page, _token = open_checkout(client, "later")
    response = subscribe(client, "later")

    assert text_of(page, "due-today") == "Due today: €15.00."
    assert text_of(page, "subscription-start") == (
        f"The subscription starts on {long(start)}."
    )
    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.amount == 1500
    [subscription] = subscriptions(db)
    assert subscription.status is SubscriptionStatus.SCHEDULED
    assert subscription.start_date == start
    assert subscription.next_billing_date == start
    assert subscription.periods == []


def test_delay_in_months_starts_later(client, db, business):
    make_link(
        db,
        slug="delayed",
        items=[{"price": monthly_price()}],
        start_delay=2,
        start_delay_unit="months",
    )
    db.commit()

    subscribe(client, "delayed")

    [subscription] = subscriptions(db)
    assert subscription.start_date == add_months(helsinki_today(), 2)
    assert subscription.status is SubscriptionStatus.SCHEDULED


def test_double_submit_makes_one_subscription(client, db, membership):
    _page, token = open_checkout(client, "membership")
    form = subscribe_form(token)

    first = client.post("/pay/membership", data=form)
    second = client.post("/pay/membership", data=form)

    assert first.headers["Location"] == second.headers["Location"]
    assert len(payments(db)) == 1
    assert len(subscriptions(db)) == 1


def test_concurrent_submits_make_one_subscription(app, db, membership):
    client = app.test_client()
    _page, token = open_checkout(client, "membership")
    form = subscribe_form(token)
    statuses = []

    def submit():
        statuses.append(
            app.test_client().post("/pay/membership", data=form).status_code
        )

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [303, 303]
    assert len(payments(db)) == 1
    assert len(subscriptions(db)) == 1


def test_declined_card_makes_no_subscription(client, db, membership):
    response = subscribe(client, card_number="4000 0000 0000 0002")

    assert response.status_code == 402
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert subscriptions(db) == []


def test_bank_debit_starts_subscription(client, db, membership):
    response = subscribe(
        client,
        method="bank_debit",
        routing_number="110000000",
        account_number="000123456789",
        account_holder="Aino Virtanen",
    )

    assert response.status_code == 303
    [payment] = payments(db)
    assert payment.status is PaymentStatus.PROCESSING
    [subscription] = subscriptions(db)
    assert subscription.status is SubscriptionStatus.ACTIVE
    [period] = subscription.periods
    assert period.status is PeriodStatus.PROCESSING
    assert subscription.next_period == 1


def test_yen_subscription(client, db, business):
    make_link(
        db,
        slug="yen-club",
        currency="JPY",
        items=[{"price": monthly_price("Print club", 1500, "JPY")}],
    )
    db.commit()

    page, _token = open_checkout(client, "yen-club")
    subscribe(client, "yen-club")

    assert text_of(page, "due-today") == "Due today: ¥1,500."
    assert "Then ¥1,500 every month." in page
    [payment] = payments(db)
    assert payment.amount == 1500
    [subscription] = subscriptions(db)
    assert subscription.currency == "JPY"
    assert subscription.periods[0].amount == 1500


@pytest.fixture
def mail_app(database_url, tmp_path, smtp_server):  # noqa: F811
    app = build_app(database_url, tmp_path, KASSA_SMTP_URL=smtp_server.url)
    yield app
    app.extensions["kassa.engine"].dispose()


def test_receipt_email_shows_subscription(mail_app, smtp_server):  # noqa: F811
    session = mail_app.extensions["kassa.sessionmaker"]()
    session.add(
        Business(
            name="Nordlys Studio",
            email="sales@nordlys.example",
            currency="EUR",
            timezone="Europe/Helsinki",
        )
    )
    make_link(session, slug="membership", items=[{"price": monthly_price()}])
    session.commit()
    session.close()

    subscribe(mail_app.test_client())

    [buyer] = [
        received.message
        for received in smtp_server.messages
        if "aino@example.com" in received.recipients
    ]
    text = buyer.get_body(("plain",)).get_content()
    next_date = long(add_months(helsinki_today(), 1))
    assert "Recurring payment: €12.00 every month" in text
    assert f"Next billing date: {next_date}" in text
    assert "/account/" in text


def test_trial_card_needing_authentication_rejected(client, db, trial_link):
    response = subscribe(client, "trial", card_number="4000 0025 0000 3155")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This test card requires authentication" in html
    assert subscriptions(db) == []
    assert list(db.scalars(select(SavedPaymentMethod))) == []
