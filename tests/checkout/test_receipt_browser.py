"""The receipt page on a phone screen, and the page icon, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.checkout.test_browser import fill_card

pytestmark = pytest.mark.browser

# 46 characters without a space: a realistic work address in Finland.
LONG_EMAIL = "maija.meikalainen@helsinginkaupunki.example.fi"
LONG_NAME = "Maija-Liisa Meikäläinen-Hämäläinen-Korhonen"
# A Finnish compound word, wider than the item column of a phone's receipt.
LONG_PRODUCT_NAME = "Käsityöpajatarvikepakkaussarja"
PHONE_WIDTHS = [320, 375]


@pytest.fixture
def long_values_link(db, kit_link):
    """The kit link with a long product name and bank debit on."""
    kit_link.items[0].price.product.name = LONG_PRODUCT_NAME
    kit_link.allow_bank_debit = True
    db.commit()
    return kit_link


def open_checkout(page, live_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/pay/workshop-kit")
    page.get_by_label("Email").fill(LONG_EMAIL)
    page.get_by_label("Full name").fill(LONG_NAME)
    page.get_by_label("T-shirt size").select_option("M")


def pay(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Pay")).click()


def assert_fits_viewport(page) -> None:
    # Measured before the stylesheet loads, the unstyled page would fit.
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.evaluate("window.innerWidth")
    assert scroll_width <= viewport_width


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_paid_receipt_fits_phone(page, live_server, long_values_link, width):
    open_checkout(page, live_server, width)
    fill_card(page, "4242 4242 4242 4242")
    pay(page)

    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")
    expect(page.locator(".receipt-facts dd", has_text=LONG_EMAIL)).to_be_visible()
    expect(page.get_by_role("cell", name=LONG_PRODUCT_NAME)).to_be_visible()
    assert_fits_viewport(page)


def test_processing_receipt_fits_phone(page, live_server, long_values_link):
    open_checkout(page, live_server, 320)
    page.get_by_label("Bank debit").check()
    # The test-mode note gives the bank account that settles.
    note = page.locator(".test-mode-note").inner_text()
    account = re.search(r"routing number (\d+) and account number (\d+)", note)
    assert account is not None
    assert "000111111116" in note

    page.get_by_label("Account holder name").fill(LONG_NAME)
    page.get_by_label("Routing number").fill(account.group(1))
    page.get_by_label("Account number").fill(account.group(2))
    pay(page)

    expect(page.locator("#payment-state")).to_have_text("Processing")
    expect(page.locator(".receipt-facts dd", has_text=LONG_EMAIL)).to_be_visible()
    assert_fits_viewport(page)


def test_card_only_note_names_no_bank_account(page, live_server, db, kit_link):
    kit_link.allow_bank_debit = False
    db.commit()
    page.goto(f"{live_server}/pay/workshop-kit")

    note = page.locator(".test-mode-note")
    expect(note).to_contain_text("4242 4242 4242 4242")
    expect(note).not_to_contain_text("routing number")


def test_pages_declare_inline_icon(page, live_server, kit_link):
    """An icon link keeps Chromium from requesting the missing /favicon.ico."""
    page.goto(f"{live_server}/pay/workshop-kit")
    icon = page.locator('head link[rel="icon"]')
    expect(icon).to_have_count(1)
    expect(icon).to_have_attribute("href", re.compile(r"^data:"))

    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Full name").fill("Aino Virtanen")
    page.get_by_label("T-shirt size").select_option("M")
    fill_card(page, "4242 4242 4242 4242")
    pay(page)

    expect(page.locator("#receipt-number")).to_have_text("RCT-000001")
    expect(icon).to_have_count(1)
    expect(icon).to_have_attribute("href", re.compile(r"^data:"))
