"""The checkout in Stripe mode, against localstripe.

localstripe's stand-in for Stripe.js has no Payment Element, so these tests
do what the page's script does: create the PaymentMethod through the API,
post the form with its id, and authenticate through the API.
"""

import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.models import CheckoutAttempt, PaymentStatus
from portal.processors.stripe import StripeProcessor, read_settings
from tests.checkout.conftest import open_checkout, payments, text_of
from tests.checkout.stripe_helpers import (
    AUTHENTICATES,
    DECLINED,
    FAILING_IBAN,
    pay_kit,
    stripe_form,
)
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides

TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


def outbox(tmp_path: Path) -> list:
    parser = BytesParser(policy=policy.default)
    return [
        parser.parsebytes(path.read_bytes())
        for path in sorted((tmp_path / "outbox").glob("*.eml"))
    ]


def test_page_shows_payment_element(client, localstripe, kit_link):
    response = client.get("/pay/workshop-kit")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'id="payment-element"' in html
    assert f'src="{localstripe.js_url}"' in html
    assert 'data-publishable-key="pk_test_kassa"' in html
    assert 'data-currency="eur"' in html
    assert 'name="card_number"' not in html
    assert 'name="account_number"' not in html


def test_page_csp_allows_stripe_js_origin(client, localstripe, kit_link):
    policy_header = client.get("/pay/workshop-kit").headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in policy_header.split("; "))

    assert directives["script-src"] == f"'self' {localstripe.base_url}"
    assert directives["frame-src"] == localstripe.base_url
    assert directives["connect-src"] == f"'self' {localstripe.base_url}"
    assert directives["default-src"] == "'self'"


def test_pages_without_payment_leave_stripe_out(client, localstripe, kit_link):
    pay_kit(client, localstripe)
    [payment] = payments(client.application.extensions["kassa.sessionmaker"]())

    for path in (f"/receipts/{payment.token}", "/healthz", "/merchant/login"):
        response = client.get(path)
        assert localstripe.base_url not in response.headers["Content-Security-Policy"]
        assert localstripe.js_url not in response.get_data(as_text=True)


def test_card_payment_succeeds(client, db, localstripe, kit_link):
    response = pay_kit(client, localstripe)

    assert response.status_code == 303
    assert "/receipts/" in response.headers["Location"]
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.processor == "stripe"
    assert payment.processor_ref.startswith("pi_")
    assert payment.card_brand == "visa"
    assert payment.card_last4 == "4242"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text_of(receipt, "amount-paid") == "€281.91"
    assert text_of(receipt, "payment-method") == "Visa ending in 4242"


def test_intent_has_total_in_minor_units(client, localstripe, kit_link):
    pay_kit(client, localstripe)

    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["amount"] == "28191"
    assert sent["params"]["currency"] == "eur"
    assert sent["params"]["description"] == "Workshop kit"
    assert sent["idempotency_key"].startswith("checkout-")


def test_yen_is_sent_without_decimals(client, db, localstripe, yen_link):
    _page, token = open_checkout(client, "tokyo-print")
    method = localstripe.card("4242424242424242")

    response = client.post(
        "/pay/tokyo-print",
        data={
            "action": "pay",
            "token": token,
            "email": "aino@example.com",
            "payment_method": method,
        },
    )

    assert response.status_code == 303
    [sent] = localstripe.requests("/v1/payment_intents")
    assert sent["params"]["amount"] == "80"
    assert sent["params"]["currency"] == "jpy"
    [payment] = payments(db)
    assert payment.amount == 80


def test_declined_card_shows_form_again(client, db, localstripe, kit_link):
    response = pay_kit(client, localstripe, card=DECLINED)
    html = response.get_data(as_text=True)

    assert response.status_code == 402
    assert "Your card was declined. Try another card." in html
    assert 'id="payment_method-error"' in html
    assert 'value="Aino Virtanen"' in html
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD


def test_missing_payment_method_is_asked_for(client, db, localstripe, kit_link):
    page, token = open_checkout(client, "workshop-kit")
    form = stripe_form(page, token, "")
    form["card_number"] = "4242 4242 4242 4242"  # ignored: Stripe mode takes none

    response = client.post("/pay/workshop-kit", data=form)

    assert response.status_code == 422
    assert "Enter your payment details." in response.get_data(as_text=True)
    assert payments(db) == []
    assert localstripe.requests("/v1/payment_intents") == []


def test_double_submit_pays_once(client, db, localstripe, kit_link):
    page, token = open_checkout(client, "workshop-kit")
    form = stripe_form(page, token, localstripe.card("4242424242424242"))

    first = client.post("/pay/workshop-kit", data=form)
    second = client.post("/pay/workshop-kit", data=form)

    assert first.headers["Location"] == second.headers["Location"]
    assert len(payments(db)) == 1
    assert len(localstripe.requests("/v1/payment_intents")) == 1


def test_authentication_approved(client, db, localstripe, tmp_path, kit_link):
    response = pay_kit(client, localstripe, card=AUTHENTICATES)

    assert response.status_code == 303
    assert "/pay/authenticate/" in response.headers["Location"]
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_ACTION
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'src="{localstripe.js_url}"' in html
    secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    assert secret.startswith(payment.processor_ref)
    assert localstripe.base_url in page.headers["Content-Security-Policy"]

    localstripe.authenticate(payment.processor_ref, secret, success=True)
    done = client.post(
        response.headers["Location"], data={"token": TOKEN.search(html).group(1)}
    )

    assert done.status_code == 303
    assert "/receipts/" in done.headers["Location"]
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.receipt_number == "RCT-000001"
    subjects = [message["Subject"] for message in outbox(tmp_path)]
    assert any(subject.startswith("Receipt from") for subject in subjects)


def test_authentication_failed(client, db, localstripe, kit_link):
    response = pay_kit(client, localstripe, card=AUTHENTICATES)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    [payment] = payments(db)

    localstripe.authenticate(payment.processor_ref, secret, success=False)
    done = client.post(
        response.headers["Location"], data={"token": TOKEN.search(html).group(1)}
    )

    assert done.status_code == 402
    assert "We could not authenticate your payment." in done.get_data(as_text=True)
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD


def test_authentication_needs_form_token(client, db, localstripe, kit_link):
    response = pay_kit(client, localstripe, card=AUTHENTICATES)

    done = client.post(response.headers["Location"], data={"token": "forged"})

    assert done.status_code == 400
    [payment] = payments(db)
    assert payment.status is PaymentStatus.REQUIRES_ACTION


def test_bank_debit_shows_processing(client, db, localstripe, kit_link):
    page, token = open_checkout(client, "workshop-kit")
    assert 'data-payment-method-types="card,sepa_debit"' in page

    response = client.post(
        "/pay/workshop-kit",
        data=stripe_form(page, token, localstripe.sepa_debit(FAILING_IBAN)),
    )

    assert response.status_code == 303
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Payment processing" in receipt
    [payment] = payments(db)
    assert payment.status is PaymentStatus.PROCESSING
    assert payment.bank_last4 == "3001"


def test_bank_debit_refused_where_link_takes_cards(client, db, localstripe, kit_link):
    kit_link.allow_bank_debit = False
    db.commit()
    page, token = open_checkout(client, "workshop-kit")

    response = client.post(
        "/pay/workshop-kit",
        data=stripe_form(page, token, localstripe.sepa_debit(FAILING_IBAN)),
    )

    assert response.status_code == 422
    assert "This payment method is not accepted here." in response.get_data(
        as_text=True
    )
    assert payments(db) == []


@pytest.fixture
def unreachable(app: Flask, localstripe: LocalStripe) -> StripeProcessor:
    """Point the app's Stripe at a closed port, as when Stripe is down."""
    closed = {
        **stripe_overrides(localstripe),
        "KASSA_STRIPE_API_BASE": "http://127.0.0.1:9",
    }
    reachable = app.extensions["kassa.processor"]
    app.extensions["kassa.processor"] = StripeProcessor(read_settings(closed))
    return reachable


def test_unreachable_stripe_charges_nothing(
    client, db, localstripe, kit_link, unreachable
):
    response = pay_kit(client, localstripe)
    html = response.get_data(as_text=True)

    assert response.status_code == 503
    assert "The payment service is unavailable. Nothing was charged" in html
    assert payments(db) == []
    assert db.scalar(select(func.count(CheckoutAttempt.id))) == 0
    assert localstripe.requests("/v1/payment_intents") == []


def test_retry_after_outage_reuses_attempt_key(
    app, client, db, localstripe, kit_link, unreachable
):
    page, token = open_checkout(client, "workshop-kit")
    failed = client.post(
        "/pay/workshop-kit",
        data=stripe_form(page, token, localstripe.card("4242424242424242")),
    )
    retry_token = TOKEN.search(failed.get_data(as_text=True)).group(1)
    app.extensions["kassa.processor"] = unreachable  # Stripe is back

    with app.test_request_context():
        from portal.checkout.tokens import read_token

        assert read_token(retry_token, "workshop-kit") == read_token(
            token, "workshop-kit"
        )
    paid = client.post(
        "/pay/workshop-kit",
        data=stripe_form(
            failed.get_data(as_text=True),
            retry_token,
            localstripe.card("4242424242424242"),
        ),
    )

    assert paid.status_code == 303
    [sent] = localstripe.requests("/v1/payment_intents")
    with app.test_request_context():
        assert (
            sent["idempotency_key"] == f"checkout-{read_token(token, 'workshop-kit')}"
        )
    assert len(payments(db)) == 1


def test_other_pages_serve_while_unreachable(client, kit_link, unreachable):
    assert client.get("/pay/workshop-kit").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/merchant/login").status_code == 200
