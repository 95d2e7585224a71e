"""Pressing Enter in the checkout form's fields, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import PaymentStatus
from tests.checkout.conftest import payments
from tests.checkout.test_browser import fill_buyer, fill_card

pytestmark = pytest.mark.browser

RECEIPT_URL = re.compile(r"/receipts/[^/]+$")


def test_enter_in_email_pays(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_label("Email").press("Enter")

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#amount-paid")).to_have_text("€281.91")
    assert payments(db)[0].status is PaymentStatus.SUCCEEDED


def test_enter_in_discount_code_applies_it(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_label("Discount code").fill("TEN")
    page.get_by_label("Discount code").press("Enter")

    expect(page.locator("#total-due")).to_have_text("€254.35")
    expect(page.locator("#pay-amount")).to_have_text("€254.35")
    expect(page.get_by_text("Code TEN applied.")).to_be_visible()
    expect(page.get_by_label("Card number")).to_have_value("4242 4242 4242 4242")
    assert page.url == f"{live_server}/pay/workshop-kit"
    assert payments(db) == []


def test_enter_in_quantity_updates_total(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_label("Quantity of Workshop kit").fill("2")
    page.get_by_label("Quantity of Workshop kit").press("Enter")

    expect(page.locator("#total-due")).to_have_text("€144.11")
    expect(page.locator("#pay-amount")).to_have_text("€144.11")
    assert page.url == f"{live_server}/pay/workshop-kit"
    assert payments(db) == []


def test_enter_pays_after_code_applied(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    page.get_by_label("Discount code").fill("TEN")
    page.get_by_label("Discount code").press("Enter")
    expect(page.locator("#total-due")).to_have_text("€254.35")

    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_label("Security code (CVC)").press("Enter")

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#amount-paid")).to_have_text("€254.35")


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_enter_in_email_pays_without_javascript(
    page_without_javascript, live_server, db, kit_link
):
    page = page_without_javascript
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_label("Email").press("Enter")

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#amount-paid")).to_have_text("€281.91")


def test_enter_in_code_shows_total_without_javascript(
    page_without_javascript, live_server, db, kit_link
):
    page = page_without_javascript
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_label("Discount code").fill("TEN")
    page.get_by_label("Discount code").press("Enter")

    expect(page.locator("#checkout-message")).to_contain_text(
        "The total is now €254.35."
    )
    expect(page.locator("#pay-amount")).to_have_text("€254.35")
    assert payments(db) == []


def test_hidden_pay_button_is_not_exposed(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")

    expect(page.get_by_role("button", name=re.compile(r"^Pay"))).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.locator("button.visually-hidden")).not_to_be_focused()
    expect(page.get_by_label("Quantity of Workshop kit")).to_be_focused()
