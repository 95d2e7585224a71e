"""The checkout as a buyer clicks through it, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import PaymentStatus
from tests.checkout.conftest import payments

pytestmark = pytest.mark.browser


def fill_buyer(page) -> None:
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Full name").fill("Aino Virtanen")
    page.get_by_label("T-shirt size").select_option("M")


def fill_card(page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")


def test_pay_with_card_lands_on_receipt(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")
    expect(page.locator("#payment-method")).to_have_text("Visa ending in 4242")
    expect(page.locator("#download-receipt")).to_be_visible()
    expect(page.locator("#download-invoice")).to_be_visible()
    assert payments(db)[0].status is PaymentStatus.SUCCEEDED


def test_declined_card_shows_message_and_keeps_details(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4000 0000 0000 0002")

    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    expect(page.get_by_label("Email")).to_have_value("aino@example.com")
    expect(page.get_by_label("Full name")).to_have_value("Aino Virtanen")
    expect(page.get_by_label("Card number")).to_have_value("")

    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")


def test_authentication_step_approves_payment(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4000 0025 0000 3155")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(
        page.get_by_role("heading", name="Authenticate your payment")
    ).to_be_visible()

    page.get_by_role("button", name="Approve payment").click()

    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")
    assert payments(db)[0].status is PaymentStatus.SUCCEEDED


def test_authentication_step_can_fail(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4000 0025 0000 3155")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    page.get_by_role("button", name="Fail authentication").click()

    expect(page.get_by_role("alert")).to_contain_text("could not authenticate")
    expect(page.get_by_label("Full name")).to_have_value("Aino Virtanen")
    assert payments(db)[0].status is PaymentStatus.REQUIRES_PAYMENT_METHOD


def test_quantity_and_code_update_totals_in_place(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    page.get_by_label("Email").fill("aino@example.com")

    page.get_by_label("Quantity of Workshop kit").fill("2")
    page.get_by_label("Quantity of Workshop kit").press("Tab")
    expect(page.locator("#total-due")).to_have_text("€144.11")
    expect(page.locator("#pay-amount")).to_have_text("€144.11")

    page.get_by_label("Quantity of Workshop kit").fill("4")
    page.get_by_label("Discount code").fill("TEN")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator("#total-due")).to_have_text("€254.35")
    expect(page.locator("#total-tax")).to_have_text("€14.40")
    expect(page.get_by_label("Email")).to_have_value("aino@example.com")


def test_checkout_works_without_javascript(browser, live_server, db, kit_link):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/pay/workshop-kit")
        page.get_by_label("Quantity of Workshop kit").fill("1")
        page.get_by_role("button", name="Update total").click()
        expect(page.locator("#total-subtotal")).to_have_text("€65.00")

        fill_buyer(page)
        fill_card(page, "4242 4242 4242 4242")
        page.get_by_role("button", name=re.compile(r"^Pay")).click()

        expect(page.locator("#amount-paid")).to_have_text("€75.21")
    finally:
        context.close()


def test_total_changed_before_paying_is_shown_not_charged(
    browser, live_server, db, kit_link
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/pay/workshop-kit")
        fill_buyer(page)
        page.get_by_label("Quantity of Workshop kit").fill("1")
        fill_card(page, "4242 4242 4242 4242")
        page.get_by_role("button", name=re.compile(r"^Pay €281.91")).click()

        expect(page.locator("#checkout-message")).to_contain_text(
            "The total is now €75.21."
        )
        assert payments(db) == []
        fill_card(page, "4242 4242 4242 4242")
        page.get_by_role("button", name=re.compile(r"^Pay €75.21")).click()

        expect(page.locator("#amount-paid")).to_have_text("€75.21")
    finally:
        context.close()


def test_back_after_paying_leaves_card_fields_empty(page, live_server, db, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")

    page.go_back()

    expect(page.get_by_label("Card number")).to_have_value("")
    expect(page.get_by_label("Security code (CVC)")).to_have_value("")
    expect(page.get_by_label("Expiry date")).to_have_value("")
    assert len(payments(db)) == 1
