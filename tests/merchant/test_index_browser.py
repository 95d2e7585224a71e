"""Filtering the payments index in Chromium: htmx swaps the table, views are saved."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import PaymentStatus, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, make_staff
from tests.listing.records import make_contact, make_payment

pytestmark = pytest.mark.browser


def test_filter_sort_save_and_reopen_view(page, live_server, db):
    make_business(db, timezone="Europe/Helsinki")
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    make_payment(db, ann, 4200)
    make_payment(db, bob, 1500)
    make_payment(db, bob, 990, status=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    make_payment(db, ann, 2500, status=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    staff = make_staff(db, role=StaffRole.VIEWER)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="Payments").click()
    results = page.locator("#index-results")
    expect(results).to_contain_text("4 payments")
    # A full page load would lose this value; an htmx swap keeps it.
    page.evaluate("window.indexMarker = 'kept'")

    page.get_by_label("Failed").check()

    expect(results).to_contain_text("2 payments")
    expect(page).to_have_url(
        re.compile(r"/merchant/payments\?status=requires_payment_method$")
    )
    assert page.evaluate("window.indexMarker") == "kept"

    page.get_by_role("link", name="Amount").click()
    # A number column sorts largest first on the first click, smallest on the next.
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Amount")
    expect(results.locator("tbody tr").first).to_contain_text("€25.00")
    page.get_by_role("link", name="Amount").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Amount")
    expect(results.locator("tbody tr").first).to_contain_text("€9.90")
    # Back restores the previous order; the page keeps no htmx history copy.
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=-amount$"))
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Amount")
    page.go_forward()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Amount")
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
    page.get_by_label("Contact email contains").fill("ANN")
    page.get_by_label("Contact email contains").press("Enter")
    expect(results).to_contain_text("1 payment")
    expect(page).to_have_url(re.compile(r"contact=ann&sort=amount$"))
    assert page.evaluate("window.indexMarker") == "kept"

    page.locator("#filter-amount_from").fill("abc")
    page.locator("#filter-amount_from").press("Enter")
    expect(results.get_by_role("alert")).to_contain_text(
        "Amount from must be a number like 12.50."
    )
    page.locator("#filter-amount_from").fill("")
    page.locator("#filter-amount_from").press("Enter")
    expect(results).to_contain_text("1 payment")

    page.get_by_label("View name").fill("Ann's failed payments")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Ann's failed payments"
    )
    expect(page.get_by_role("status").first).to_contain_text("Saved the view")

    page.goto(f"{live_server}/merchant/payments")
    expect(results).to_contain_text("4 payments")
    page.get_by_role("link", name="Ann's failed payments").click()
    expect(results).to_contain_text("1 payment")
    expect(results.locator("tbody tr").first).to_contain_text("€25.00")
    expect(page.get_by_label("Failed")).to_be_checked()
    expect(page.get_by_label("Contact email contains")).to_have_value("ann")


def test_next_page_reload_and_back(page, live_server, db):
    make_business(db, timezone="Europe/Helsinki")
    ann = make_contact(db, "ann@example.com")
    for number in range(30):
        make_payment(db, ann, 1000 + number)
    staff = make_staff(db, role=StaffRole.VIEWER)
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
    page.goto(f"{live_server}/merchant/payments?per_page=25")
    results = page.locator("#index-results")
    expect(results.locator("tbody tr")).to_have_count(25)

    results.get_by_role("link", name="Next").click()
    expect(results.locator("tbody tr")).to_have_count(5)
    expect(page).to_have_url(re.compile(r"per_page=25&after="))
    page.reload()
    expect(results.locator("tbody tr")).to_have_count(5)

    page.go_back()
    expect(page).to_have_url(re.compile(r"per_page=25$"))
    expect(results.locator("tbody tr")).to_have_count(25)
    page.go_forward()
    expect(results.locator("tbody tr")).to_have_count(5)
    page.go_back()
    expect(results.locator("tbody tr")).to_have_count(25)
    # A history restore parses the page under the current page's CSP nonce.
    page.wait_for_load_state("networkidle")
    assert console_errors == []
