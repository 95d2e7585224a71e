"""The Stripe-mode checkout page in Chromium, with localstripe's stand-in for Stripe.js.

localstripe 1.15 serves a Stripe.js whose ``elements()`` ignores its options,
whose ``create()`` always makes a card-only element, and which has neither
``elements.submit()`` nor a working ``createPaymentMethod()``. It cannot run
the Payment Element's payment, so this test covers what it can: the page
loads the script from the configured origin within its CSP, mounts the
element, and on Pay tells the buyer that nothing was charged when Stripe.js
fails. The payment itself is tested through the API in test_stripe_checkout,
and saving a card for a trial in test_stripe_trial.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from portal.models import BillingFrequency, Price, PriceKind, Product
from tests.checkout.conftest import payments
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides

pytestmark = pytest.mark.browser

RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()


def test_payment_element_loads_within_csp(page, live_server, localstripe, kit_link):
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    page.goto(f"{live_server}/pay/workshop-kit")

    # localstripe's element: plain inputs named by placeholder.
    expect(page.locator("#payment-element input[placeholder=number]")).to_be_attached()
    assert page.evaluate("typeof Stripe") == "function"
    assert page.evaluate("window.cspViolations") == []
    expect(page.get_by_label("Card number")).to_have_count(0)


def test_failing_stripe_js_charges_nothing(
    page, live_server, db, localstripe, kit_link
):
    page.goto(f"{live_server}/pay/workshop-kit")
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Full name").fill("Aino Virtanen")
    page.get_by_label("T-shirt size").select_option("M")

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page.locator("#stripe-error")).to_have_text(
        "The payment service could not be reached. Nothing was charged; try "
        "again in a moment."
    )
    assert page.url == f"{live_server}/pay/workshop-kit"
    assert payments(db) == []
    assert localstripe.requests("/v1/payment_intents") == []


def test_trial_mounts_element_for_setup(page, live_server, db, localstripe, business):
    price = Price(
        product=Product(name="Studio membership"),
        currency="EUR",
        unit_amount=1200,
        kind=PriceKind.RECURRING,
        frequency=BillingFrequency.MONTHLY,
    )
    make_link(db, slug="trial", items=[{"price": price}], trial_days=14)
    db.commit()
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    page.goto(f"{live_server}/pay/trial")
    expect(page.locator("#payment-element input[placeholder=number]")).to_be_attached()
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Full name").fill("Aino Virtanen")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Subscribe").click()

    # The stand-in cannot create a PaymentMethod, so the card is not saved.
    expect(page.locator("#stripe-error")).to_have_text(
        "The payment service could not be reached. Nothing was charged; try "
        "again in a moment."
    )
    assert page.evaluate("window.cspViolations") == []
    assert payments(db) == []
    assert localstripe.requests("/v1/setup_intents") == []
