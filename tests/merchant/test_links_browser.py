"""A staff member builds a payment link in Chromium, and a buyer pays it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import PaymentLink, PaymentStatus, StaffRole
from tests.checkout.conftest import payments
from tests.factories import make_business, make_product_price
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


def test_staff_builds_link_and_buyer_pays(page, live_server, db):
    make_business(db)
    staff = make_staff(db, role=StaffRole.SALES)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Name").fill("Linen tote")
    page.get_by_role("button", name="Add product").click()
    page.get_by_label("Amount").fill("24.90")
    page.get_by_role("button", name="Add price").click()
    expect(page.locator("#prices")).to_contain_text("€24.90")

    page.get_by_role("link", name="Create payment link").click()
    expect(page.get_by_label("Title")).to_have_value("Linen tote")
    page.get_by_role("button", name="Add line item").click()
    expect(page.locator("#item-rows .editor-row")).to_have_count(2)
    page.locator("#items-1").get_by_role("button", name="Remove line item").click()
    expect(page.locator("#item-rows .editor-row")).to_have_count(1)
    page.get_by_role("button", name="Add custom field").click()
    page.get_by_label("Label").fill("Monogram")
    page.get_by_role("button", name="Create payment link").click()

    expect(page.get_by_role("heading", name="Linen tote")).to_be_visible()
    checkout_url = page.locator("#checkout-url").input_value()
    assert re.fullmatch(rf"{live_server}/pay/linen-tote-[a-z2-9]{{10}}", checkout_url)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server
    )
    page.get_by_role("button", name="Copy URL").click()
    expect(page.locator("#copy-status")).to_have_text("Copied the URL.")
    assert page.evaluate("navigator.clipboard.readText()") == checkout_url

    page.goto(checkout_url)
    page.get_by_label("Email").fill("aino@example.com")
    page.get_by_label("Monogram").fill("AV")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.amount == 2490
    assert payment.order.custom_fields == {"Monogram": "AV"}

    page.goto(f"{live_server}/merchant/links/{payment.link_id}")
    expect(page.locator("#link-payments")).to_contain_text("aino@example.com")
    expect(page.locator("#collected")).to_contain_text("€24.90")


def test_back_then_create_again_makes_one_link(page, live_server, db):
    make_business(db)
    poster = make_product_price(db, "Poster", 3900)
    staff = make_staff(db, role=StaffRole.SALES)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/links/new")
    page.get_by_label("Title").fill("Poster sale")
    page.locator("#items-0-price_id").select_option(str(poster.id))
    page.get_by_role("button", name="Create payment link").click()
    expect(page.get_by_role("heading", name="Poster sale")).to_be_visible()

    page.go_back()
    expect(page.get_by_label("Title")).to_have_value("Poster sale")
    page.get_by_role("button", name="Create payment link").click()

    expect(page.get_by_role("heading", name="Poster sale")).to_be_visible()
    db.expire_all()
    assert db.scalars(select(PaymentLink.title)).all() == ["Poster sale"]

    # A form opened anew, not through Back, creates another link.
    page.goto(f"{live_server}/merchant/links/new")
    page.get_by_label("Title").fill("Poster sale 2")
    page.locator("#items-0-price_id").select_option(str(poster.id))
    page.get_by_role("button", name="Create payment link").click()
    expect(page.get_by_role("heading", name="Poster sale 2")).to_be_visible()
    db.expire_all()
    titles = db.scalars(select(PaymentLink.title).order_by(PaymentLink.id)).all()
    assert titles == ["Poster sale", "Poster sale 2"]


def test_price_list_follows_link_currency(page, live_server, db):
    make_business(db, accepted_currencies=["JPY"])
    poster = make_product_price(db, "Poster", 3900)
    print_yen = make_product_price(db, "Tokyo print", 8000, "JPY")
    staff = make_staff(db, role=StaffRole.SALES)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/links/new")
    euro_option = page.locator(f"#items-0-price_id option[value='{poster.id}']")
    yen_option = page.locator(f"#items-0-price_id option[value='{print_yen.id}']")
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    expect(euro_option).not_to_have_attribute("hidden", "")
    expect(yen_option).to_have_attribute("hidden", "")

    page.locator("#items-0-price_id").select_option(str(poster.id))
    page.get_by_label("Currency").select_option("JPY")

    expect(page.locator("#items-0-price_id")).to_have_value("")
    expect(euro_option).to_have_attribute("hidden", "")
    expect(yen_option).not_to_have_attribute("hidden", "")
    page.get_by_role("button", name="Add line item").click()
    added_euro = page.locator(f"#items-1-price_id option[value='{poster.id}']")
    expect(added_euro).to_have_attribute("hidden", "")
