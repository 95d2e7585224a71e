"""From a new payment link to a partial refund, with the refund receipt emailed."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import PaymentStatus, StaffRole
from tests.checkout.conftest import payments
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def mailing_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    return app


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_link_sale_then_partial_refund(mailing_app, smtp_server, page, live_server, db):
    make_business(db)
    staff = make_staff(db, role=StaffRole.ADMIN)
    db.commit()

    sign_in(page, live_server, staff.email)
    page.get_by_role("navigation").get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Name").fill("Pottery class")
    page.get_by_role("button", name="Add product").click()
    page.get_by_label("Amount").fill("60.00")
    page.get_by_role("button", name="Add price").click()
    page.get_by_role("link", name="Create payment link").click()
    page.get_by_role("button", name="Create payment link").click()
    checkout_url = page.locator("#checkout-url").input_value()

    buyer = page.context.browser.new_page()
    buyer.goto(checkout_url)
    buyer.get_by_label("Email").fill("eero@example.com")
    buyer.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer.get_by_label("Expiry date").fill("12 / 40")
    buyer.get_by_label("Security code (CVC)").fill("123")
    buyer.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(
        buyer.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    buyer.close()
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    smtp_server.messages.clear()

    page.get_by_role("navigation").get_by_role("link", name="Payments").click()
    page.get_by_role("link", name=f"#{payment.id}").click()
    page.get_by_label("Amount to refund").fill("15.00")
    page.get_by_label("Reason").select_option("requested_by_customer")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund", exact=True).click()

    expect(page.locator(".flash-success")).to_have_text(
        "Refunded €15.00 as RFD-000001."
    )
    expect(page.locator("#refundable-amount")).to_have_text("€45.00")
    [received] = [
        m for m in smtp_server.messages if m.recipients == ["eero@example.com"]
    ]
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "€15.00" in text
    assert "RFD-000001" in received.message["Subject"] + text
