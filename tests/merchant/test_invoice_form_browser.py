"""The staff invoice form's line items in Chromium: phone layout, products, focus."""

import pytest
from playwright.sync_api import expect

from portal.models import StaffRole
from tests.factories import make_business, make_product_price
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def invoice_form(page, live_server, db):
    """Sign in as sales staff with one product in the catalogue, on a new invoice."""
    make_business(db)
    make_product_price(db, "Linen tote", 2490)
    staff = make_staff(db, role=StaffRole.SALES)
    db.commit()
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation")).to_be_visible()
    page.goto(f"{live_server}/merchant/invoices/new")
    page.wait_for_load_state("load")
    return console_errors


def test_line_editor_fits_375_px(page, invoice_form):
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Add line item").click()
    expect(page.get_by_label("Product of line 2")).to_be_visible()
    page.get_by_role("button", name="Add fee").click()
    expect(page.get_by_label("Description of fee 1")).to_be_visible()

    viewport_width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width
    rows = page.locator("#invoice-rows")
    assert rows.evaluate("node => node.scrollWidth <= node.clientWidth")
    for label in ("Unit amount of line 2", "Tax of line 2", "Amount of fee 1"):
        box = page.get_by_label(label).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= viewport_width
    expect(page.get_by_label("Quantity of line 1")).to_be_visible()
    assert invoice_form == []


def test_product_fills_description_and_amount(page, invoice_form):
    description = page.get_by_label("Description of line 1")
    unit_amount = page.get_by_label("Unit amount of line 1")

    page.get_by_label("Product of line 1").select_option(label="Linen tote · €24.90")

    expect(description).to_have_value("Linen tote")
    expect(unit_amount).to_have_value("24.90")
    expect(unit_amount).not_to_be_editable()

    page.get_by_label("Product of line 1").select_option(label="Enter by hand")

    expect(description).to_have_value("")
    expect(unit_amount).to_have_value("")
    expect(unit_amount).to_be_editable()
    assert invoice_form == []


def test_product_keeps_typed_description(page, invoice_form):
    description = page.get_by_label("Description of line 1")
    description.fill("Tote bag, monogrammed")

    page.get_by_label("Product of line 1").select_option(label="Linen tote · €24.90")

    expect(description).to_have_value("Tote bag, monogrammed")
    expect(page.get_by_label("Unit amount of line 1")).to_have_value("24.90")


def test_add_line_focuses_new_row(page, invoice_form):
    page.get_by_role("button", name="Add line item").click()

    expect(page.get_by_label("Product of line 2")).to_be_focused()

    page.get_by_role("button", name="Add fee").click()

    expect(page.get_by_label("Description of fee 1")).to_be_focused()
    assert invoice_form == []
