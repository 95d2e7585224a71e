"""A customer's round trip in Chromium: subscribe, sign in by email, manage.

The customer pays a monthly payment link in test mode, signs in to the
account area through the link the real SMTP server received, replaces the
saved card and cancels at the end of the period.
"""

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from portal.billing.schedule import add_months
from portal.models import (
    BillingFrequency,
    Price,
    PriceKind,
    Product,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from tests.factories import make_link
from tests.fixtures.app import build_app
from tests.fixtures.smtp import SmtpServer

pytestmark = pytest.mark.browser

HELSINKI = ZoneInfo("Europe/Helsinki")
SIGN_IN_SUBJECT = "Sign in to your Nordlys Studio account"
SIGN_IN_LINK = re.compile(r"http://127\.0\.0\.1:\d+/account/sign-in/[A-Za-z0-9_\-]+")


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, KASSA_SMTP_URL=smtp_server.url)
    yield app
    app.extensions["kassa.engine"].dispose()


@pytest.fixture
def membership(db, business):
    """A link for a monthly membership at 12.00 EUR."""
    price = Price(
        product=Product(name="Studio membership"),
        currency="EUR",
        unit_amount=1200,
        kind=PriceKind.RECURRING,
        frequency=BillingFrequency.MONTHLY,
    )
    link = make_link(db, slug="membership", items=[{"price": price}])
    db.commit()
    return link


def long_date(day) -> str:
    return format_date(day, "long", locale="en")


def fill_card(page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")


def email_body(smtp_server: SmtpServer, subject: str, timeout: float = 10.0) -> str:
    """Return the text of the email to Aino whose subject starts with ``subject``.

    Some emails go out after their response, so this polls until ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in smtp_server.messages:
            if received.message["Subject"].startswith(subject):
                assert received.recipients == ["aino@example.com"]
                return received.message.get_body(("plain",)).get_content()
        time.sleep(0.05)
    subjects = [received.message["Subject"] for received in smtp_server.messages]
    raise AssertionError(f"no email {subject!r} arrived; received {subjects}")


def emailed_sign_in_link(smtp_server: SmtpServer) -> str:
    body = email_body(smtp_server, SIGN_IN_SUBJECT)
    match = SIGN_IN_LINK.search(body)
    assert match, body
    return match.group(0)


def subscription_of(db) -> Subscription:
    db.expire_all()
    return db.scalars(select(Subscription)).one()


def test_subscribe_sign_in_update_card_cancel(
    page, live_server, db, smtp_server, membership
):
    today = datetime.now(HELSINKI).date()
    next_billing = long_date(add_months(today, 1))

    # Pay the monthly link and agree to have the card saved.
    page.goto(f"{live_server}/pay/membership")
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Full name").fill("Aino Virtanen")
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_label(re.compile("let Nordlys Studio charge them")).check()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    expect(page.locator("#subscription-recurs")).to_have_text("€12.00 every month")
    expect(page.locator("#subscription-next-billing")).to_have_text(next_billing)
    receipt = email_body(smtp_server, "Receipt from Nordlys Studio")
    assert "Recurring payment: €12.00 every month" in receipt
    assert next_billing in receipt
    first_card = subscription_of(db).saved_method
    assert first_card.last4 == "4242"

    # Sign in through the emailed link.
    page.get_by_role("link", name="Manage your subscription in your account").click()
    expect(page.get_by_role("heading", name="Sign in to your account")).to_be_visible()
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(emailed_sign_in_link(smtp_server))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("#account-email")).to_have_text("aino@example.com")
    email_box = page.locator("#account-email").bounding_box()
    sign_out_box = page.locator("#sign-out").bounding_box()
    assert abs(email_box["y"] - sign_out_box["y"]) < email_box["height"], (
        "the account bar should keep the email and the sign-out button on one row"
    )
    expect(page.locator("#subscriptions .next-billing")).to_have_text(
        f"Next payment: €12.00 on {next_billing}"
    )

    # The subscription's page shows the next bill and the saved card.
    page.get_by_role("link", name="Studio membership").click()
    expect(page.locator("#next-billing")).to_have_text(f"€12.00 on {next_billing}")
    expect(page.locator("#payment-method")).to_have_text("Visa ending in 4242")

    # Replace the card.
    page.get_by_role("link", name="Update payment method").click()
    fill_card(page, "5555 5555 5555 4444")
    page.get_by_label(re.compile("Save my card")).check()
    page.get_by_role("button", name="Save card").click()

    expect(page.get_by_role("status")).to_contain_text("Your new card is saved.")
    expect(page.locator("#payment-method")).to_have_text("Mastercard ending in 4444")

    # Cancel at the end of the period, with a reason.
    page.get_by_label("Why are you canceling?").fill("Moving to another city.")
    page.get_by_role("button", name="Cancel at the end of the period").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your subscription ends at the end of the current period."
    )
    expect(page.locator("#subscription-status")).to_have_text("Active")
    expect(page.locator("#ends-on")).to_have_text(next_billing)
    expect(page.locator("#next-billing")).to_have_count(0)
    expect(page.get_by_role("button", name="Keep my subscription")).to_be_visible()

    subscription = subscription_of(db)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.cancel_at_period_end is True
    assert subscription.cancel_reason == "Moving to another city."
    assert subscription.saved_method_id != first_card.id
    assert subscription.saved_method.last4 == "4444"
    assert subscription.saved_method.brand == "mastercard"
    assert subscription.saved_method.removed_at is None
    assert db.get(SavedPaymentMethod, first_card.id).removed_at is not None
