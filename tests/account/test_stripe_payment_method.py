"""Updating a subscription's card with Stripe, served by localstripe.

The page creates a SetupIntent for the contact's Stripe customer. Stripe.js
confirms it in the browser, which these tests do through localstripe's API,
and the form then posts only the signed token that names the SetupIntent.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from itsdangerous import URLSafeSerializer
from playwright.sync_api import expect
from sqlalchemy import select

from portal.account.current import COOKIE_NAME, COOKIE_PATH, COOKIE_SALT
from portal.account.sessions import start_session
from portal.database import now_utc
from portal.models import ProcessorCustomer, SavedPaymentMethod, Subscription
from portal.processors.stripe import StripeProcessor, read_settings
from tests.account.conftest import make_subscription, save_method
from tests.checkout.stripe_helpers import VISA
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, LocalStripeError, stripe_overrides

MASTERCARD = "5555555555554444"
DECLINED = "4000000000000002"
FIELD = re.compile(r'name="(csrf_token|token)" value="([^"]+)"')
CLIENT_SECRET = re.compile(r'data-client-secret="([^"]+)"')


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


@pytest.fixture
def subscription(db, aino):
    old = save_method(db, aino)
    subscription = make_subscription(db, aino, saved_method=old)
    db.commit()
    return subscription


def method_path(subscription: Subscription) -> str:
    return f"/account/subscriptions/{subscription.token}/payment-method"


def open_page(client, subscription: Subscription) -> tuple[str, dict[str, str]]:
    """Return the update page's HTML and its form's hidden fields."""
    response = client.get(method_path(subscription))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, dict(FIELD.findall(html))


def client_secret(html: str) -> str:
    match = CLIENT_SECRET.search(html)
    assert match, "no SetupIntent client secret on the page"
    return match.group(1)


def confirm_setup(localstripe: LocalStripe, secret: str, number: str) -> dict:
    """Confirm the SetupIntent with a card, as Stripe.js's confirmCardSetup does."""
    setup_id = secret.split("_secret_")[0]
    card = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    return localstripe.call(
        "POST",
        f"/v1/setup_intents/{setup_id}/confirm",
        {
            "client_secret": secret,
            "payment_method_data": {"type": "card", "card": card},
        },
    )


def test_page_starts_setup_intent(aino_client, db, aino, localstripe, subscription):
    html, _fields = open_page(aino_client, subscription)

    [sent] = localstripe.requests("/v1/setup_intents")
    assert sent["params"]["usage"] == "off_session"
    assert sent["params"]["payment_method_types[0]"] == "card"
    [customer] = db.scalars(
        select(ProcessorCustomer).where(ProcessorCustomer.processor == "stripe")
    ).all()
    assert customer.contact_id == aino.id
    assert sent["params"]["customer"] == customer.customer_ref
    assert client_secret(html).startswith("seti_")
    assert 'data-publishable-key="pk_test_kassa"' in html
    assert f'src="{localstripe.js_url}"' in html
    assert 'name="card_number"' not in html


def test_page_reuses_open_setup_intent(aino_client, localstripe, subscription):
    first, _fields = open_page(aino_client, subscription)
    again, _fields = open_page(aino_client, subscription)

    assert len(localstripe.requests("/v1/setup_intents")) == 1
    assert client_secret(again) == client_secret(first)


def test_unknown_setup_id_replaced(aino_client, localstripe, subscription):
    with aino_client.session_transaction() as session:
        session["account_setup_intents"] = {subscription.token: "seti_gone"}

    html, _fields = open_page(aino_client, subscription)

    assert client_secret(html).startswith("seti_")
    assert not client_secret(html).startswith("seti_gone")
    assert len(localstripe.requests("/v1/setup_intents")) == 1


def test_each_subscription_gets_own_setup(aino_client, db, localstripe, subscription):
    second = make_subscription(db, subscription.contact, saved_method=None)
    db.commit()

    first, _fields = open_page(aino_client, subscription)
    other, _fields = open_page(aino_client, second)

    assert client_secret(other) != client_secret(first)


def test_saved_card_starts_new_setup(aino_client, localstripe, subscription):
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), MASTERCARD)
    aino_client.post(method_path(subscription), data={**fields, "consent": "yes"})

    again, _fields = open_page(aino_client, subscription)

    assert client_secret(again) != client_secret(html)


def test_confirmed_card_replaces_old(aino_client, db, localstripe, subscription):
    old_id = subscription.saved_method_id
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), MASTERCARD)

    response = aino_client.post(
        method_path(subscription), data={**fields, "consent": "yes"}
    )

    assert response.status_code == 303
    db.expire_all()
    stored = db.get(Subscription, subscription.id)
    assert stored.saved_method_id != old_id
    saved = stored.saved_method
    assert saved.processor_ref.startswith("pm_")
    # localstripe 1.15 names every card's brand "visa", so the last digits tell
    # the new card from the old.
    assert (saved.kind, saved.last4) == ("card", "4444")
    assert (saved.exp_month, saved.exp_year) == (12, 2040)
    assert saved.customer.processor == "stripe"
    assert "Save my card" in saved.consent_text
    assert saved.consented_at is not None
    assert db.get(SavedPaymentMethod, old_id).removed_at is not None
    page = aino_client.get(f"/account/subscriptions/{subscription.token}")
    assert "Visa ending in 4444" in page.get_data(as_text=True)


def test_double_submit_saves_one_card(aino_client, db, localstripe, subscription):
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), VISA)
    data = {**fields, "consent": "yes"}

    first = aino_client.post(method_path(subscription), data=data)
    second = aino_client.post(method_path(subscription), data=data)

    assert first.status_code == 303
    assert second.status_code == 303
    methods = db.scalars(select(SavedPaymentMethod)).all()
    assert len(methods) == 2


def test_unconfirmed_setup_keeps_old(aino_client, db, localstripe, subscription):
    old_id = subscription.saved_method_id
    _html, fields = open_page(aino_client, subscription)

    response = aino_client.post(
        method_path(subscription), data={**fields, "consent": "yes"}
    )

    assert response.status_code == 402
    assert "The card was not saved" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old_id
    assert db.get(SavedPaymentMethod, old_id).removed_at is None


def test_declined_setup_keeps_old(aino_client, db, localstripe, subscription):
    old_id = subscription.saved_method_id
    html, fields = open_page(aino_client, subscription)
    with pytest.raises(LocalStripeError, match="card_declined"):
        confirm_setup(localstripe, client_secret(html), DECLINED)

    response = aino_client.post(
        method_path(subscription), data={**fields, "consent": "yes"}
    )

    assert response.status_code == 402
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old_id


def test_consent_required(aino_client, db, localstripe, subscription):
    old_id = subscription.saved_method_id
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), MASTERCARD)

    response = aino_client.post(method_path(subscription), data=fields)

    assert response.status_code == 422
    assert "Agree to save your card" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old_id


def test_token_of_other_subscription_rejected(
    aino_client, db, localstripe, subscription
):
    second = make_subscription(db, subscription.contact, saved_method=None)
    db.commit()
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), MASTERCARD)

    response = aino_client.post(method_path(second), data={**fields, "consent": "yes"})

    assert response.status_code == 400


def sign_browser_in(app, db, page, contact, live_server: str) -> None:
    """Give the browser the session cookie of ``contact``."""
    token = start_session(db, contact, now_utc())
    db.commit()
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT)
    page.context.add_cookies(
        [
            {
                "name": COOKIE_NAME,
                "value": serializer.dumps(token),
                "url": f"{live_server}{COOKIE_PATH}",
            }
        ]
    )


def fill_stripe_card(page, number: str) -> None:
    """Type a card into localstripe's element, whose inputs are named by placeholder."""
    element = page.locator("#card-element")
    element.locator("input[placeholder=number]").fill(number)
    element.locator("input[placeholder=exp_month]").fill("12")
    element.locator("input[placeholder=exp_year]").fill("40")
    element.locator("input[placeholder=cvc]").fill("123")
    element.locator("input[placeholder=postal_code]").fill("00100")


@pytest.mark.browser
def test_browser_saves_card_with_stripe_js(
    app, page, live_server, db, aino, localstripe, subscription
):
    old_id = subscription.saved_method_id
    sign_browser_in(app, db, page, aino, live_server)
    page.goto(f"{live_server}{method_path(subscription)}")

    fill_stripe_card(page, MASTERCARD)
    page.get_by_label(re.compile("Save my card")).check()
    page.get_by_role("button", name="Save card").click()

    expect(page.get_by_role("status")).to_contain_text("Your new card is saved.")
    expect(page.locator("#payment-method")).to_have_text("Visa ending in 4444")
    db.expire_all()
    stored = db.get(Subscription, subscription.id)
    assert stored.saved_method_id != old_id
    assert stored.saved_method.last4 == "4444"
    assert db.get(SavedPaymentMethod, old_id).removed_at is not None


@pytest.mark.browser
def test_browser_shows_declined_setup(
    app, page, live_server, db, aino, localstripe, subscription
):
    old_id = subscription.saved_method_id
    sign_browser_in(app, db, page, aino, live_server)
    page.goto(f"{live_server}{method_path(subscription)}")

    fill_stripe_card(page, DECLINED)
    page.get_by_label(re.compile("Save my card")).check()
    page.get_by_role("button", name="Save card").click()

    expect(page.locator("#stripe-error")).to_be_visible()
    assert page.url == f"{live_server}{method_path(subscription)}"
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old_id


def make_unreachable(app: Flask, localstripe: LocalStripe) -> None:
    """Point the app's Stripe at a closed port, as when Stripe is down."""
    closed = {
        **stripe_overrides(localstripe),
        "KASSA_STRIPE_API_BASE": "http://127.0.0.1:9",
        "KASSA_STRIPE_TIMEOUT": 2,
    }
    app.extensions["kassa.processor"] = StripeProcessor(read_settings(closed))


@pytest.fixture
def unreachable(app: Flask, localstripe: LocalStripe) -> None:
    make_unreachable(app, localstripe)


def test_page_while_stripe_unreachable(aino_client, subscription, unreachable):
    response = aino_client.get(method_path(subscription))

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "The payment service is unavailable" in html
    assert "data-client-secret" not in html


def test_post_while_stripe_unreachable(app, aino_client, db, localstripe, subscription):
    old_id = subscription.saved_method_id
    html, fields = open_page(aino_client, subscription)
    confirm_setup(localstripe, client_secret(html), MASTERCARD)
    make_unreachable(app, localstripe)

    response = aino_client.post(
        method_path(subscription), data={**fields, "consent": "yes"}
    )

    assert response.status_code == 503
    assert "The payment service is unavailable" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Subscription, subscription.id).saved_method_id == old_id


@pytest.mark.browser
def test_browser_asks_consent_before_setup(
    app, page, live_server, db, aino, localstripe, subscription
):
    sign_browser_in(app, db, page, aino, live_server)
    page.goto(f"{live_server}{method_path(subscription)}")
    secret = page.locator("#stripe-setup").get_attribute("data-client-secret")

    fill_stripe_card(page, MASTERCARD)
    page.get_by_role("button", name="Save card").click()

    expect(page.locator("#stripe-error")).to_have_text(
        "Agree to save your card to use it for renewals."
    )
    setup_id = secret.split("_secret_")[0]
    stored = localstripe.call("GET", f"/v1/setup_intents/{setup_id}")
    assert stored["status"] == "requires_payment_method"
    assert stored["payment_method"] is None
