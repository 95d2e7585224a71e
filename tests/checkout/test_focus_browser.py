"""Where focus lands when the checkout page comes back with errors, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.checkout.test_browser import fill_buyer, fill_card

pytestmark = pytest.mark.browser


def submit(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    page.wait_for_load_state("load")


def test_page_without_errors_keeps_focus(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    page.wait_for_load_state("load")

    assert page.evaluate("document.activeElement === document.body")


def test_invalid_email_takes_focus(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    page.get_by_label("Email").fill("aino@example")
    fill_card(page, "4242 4242 4242 4242")

    submit(page)

    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_be_focused()


def test_first_invalid_field_takes_focus(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    page.get_by_label("Full name").fill("Aino Virtanen")

    submit(page)

    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("T-shirt size")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_be_focused()


def test_declined_card_takes_focus(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4000 0000 0000 0002")

    submit(page)

    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    card_number = page.get_by_label("Card number")
    if card_number.get_attribute("aria-invalid") == "true":
        expect(card_number).to_be_focused()
    else:
        expect(page.locator("#checkout-message")).to_be_focused()


def test_expired_page_focuses_message(page, live_server, kit_link):
    page.goto(f"{live_server}/pay/workshop-kit")
    fill_buyer(page)
    fill_card(page, "4242 4242 4242 4242")
    page.locator("input[name=token]").evaluate("field => { field.value = 'stale'; }")

    submit(page)

    message = page.locator("#checkout-message")
    expect(message).to_contain_text("This page has expired.")
    expect(page.locator('[aria-invalid="true"]')).to_have_count(0)
    expect(message).to_be_focused()
    # Focus by script adds no tab stop.
    expect(message).to_have_attribute("tabindex", "-1")
