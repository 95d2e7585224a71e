"""The checkout page's layout on phone and desktop screens, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE_WIDTHS = [320, 375, 414]
LONG_URL = "https://nordlys.example/workshops/springseason/kitinstructionsandparts"
# A Finnish compound word, long enough to widen the order summary's item column.
LONG_PRODUCT_NAME = "Käsityöpajatarvikepakkaussarja"


@pytest.fixture
def full_link(db, kit_link):
    """The kit link with bank debit on and long unbroken words on the page.

    The kit link already collects a billing address and has two custom fields.
    """
    kit_link.allow_bank_debit = True
    kit_link.description = f"Instructions: {LONG_URL}"
    kit_link.items[0].price.product.name = LONG_PRODUCT_NAME
    db.commit()
    return kit_link


def open_on_phone(page, live_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/pay/workshop-kit")


def assert_fits_viewport(page) -> None:
    # Measured before the stylesheet loads, the unstyled page would fit.
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.evaluate("window.innerWidth")
    assert scroll_width <= viewport_width

    pay_box = page.locator("#pay-button").bounding_box()
    assert pay_box is not None
    assert pay_box["x"] >= 0
    assert pay_box["x"] + pay_box["width"] <= viewport_width


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_card_form_fits_phone(page, live_server, full_link, width):
    open_on_phone(page, live_server, width)
    expect(page.get_by_label("Card number")).to_be_visible()
    expect(page.get_by_label("Security code (CVC)")).to_be_visible()

    assert_fits_viewport(page)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_bank_debit_form_fits_phone(page, live_server, full_link, width):
    open_on_phone(page, live_server, width)
    page.get_by_label("Bank debit").check()
    expect(page.get_by_label("Account number")).to_be_visible()

    assert_fits_viewport(page)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_form_with_errors_fits_phone(page, live_server, full_link, width):
    open_on_phone(page, live_server, width)
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(page.get_by_role("alert")).to_contain_text("Check the highlighted fields.")

    assert_fits_viewport(page)


def test_desktop_keeps_two_columns(page, live_server, full_link):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/pay/workshop-kit")

    summary = page.locator(".checkout-summary").bounding_box()
    details = page.locator(".checkout-details").bounding_box()
    assert summary["x"] + summary["width"] < details["x"]
    assert summary["y"] == details["y"]

    expiry = page.get_by_label("Expiry date").bounding_box()
    cvc = page.get_by_label("Security code (CVC)").bounding_box()
    assert expiry["y"] == cvc["y"]
    assert expiry["x"] + expiry["width"] < cvc["x"]
