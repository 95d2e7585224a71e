"""A quote's second instalment charged by the billing run, after signing in Chromium."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.models import InstalmentDue, InstalmentStatus, QuoteStatus
from tests.fixtures.staff import STAFF_PASSWORD
from tests.quotes.published import Part, publish_quote, signer_path

pytestmark = pytest.mark.browser


def test_second_instalment_charged_by_run(app, browser, page, live_server, db):
    quote = publish_quote(
        db,
        countersigners=("Sara Sales",),
        parts=(Part("40"), Part("60", due=InstalmentDue.DAYS_AFTER, days=30)),
    )
    countersigner = quote.countersigners[0]

    # The buyer reads the quote through their own link and signs it.
    page.goto(f"{live_server}{signer_path(quote, quote.buyers[0])}")
    expect(page.locator("#payment-schedule")).to_contain_text("Instalment 2 of 2")
    page.get_by_label(re.compile("I agree to sign this quote electronically")).check()
    page.get_by_label("Type your full name").fill("Aino Virtanen")
    page.get_by_role("button", name="Sign the quote").click()
    expect(page.locator("#quote-status")).to_have_text("Awaiting countersignature")

    # The countersigner signs in to the back office and countersigns.
    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    staff_page.goto(f"{live_server}/merchant/login")
    staff_page.get_by_label("Email").fill(countersigner.email)
    staff_page.get_by_label("Password").fill(STAFF_PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.goto(f"{live_server}/merchant/quotes/{quote.id}")
    staff_page.get_by_label(re.compile("I agree to countersign this quote")).check()
    staff_page.get_by_label("Type your full name").fill("Sara Sales")
    staff_page.get_by_role("button", name="Countersign quote").click()
    expect(staff_page.get_by_text("is countersigned and accepted")).to_be_visible()

    # The buyer pays the first instalment with 4242 and saves the card.
    page.goto(f"{live_server}/quotes/{quote.token}")
    expect(page.locator("#pay-amount")).to_have_text("€496.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label(re.compile("Save my payment details")).check()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()
    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    db.expire_all()
    second = quote.instalments[1]
    assert quote.status is QuoteStatus.ACCEPTED
    assert second.status is InstalmentStatus.PENDING

    # The billing run of the day before the due date charges nothing.
    runner = app.test_cli_runner()
    day_before = second.due_on - timedelta(days=1)
    before = runner.invoke(args=["billing", "run", "--as-of", f"{day_before}"])
    assert before.exit_code == 0, before.output
    db.expire_all()
    assert second.status is InstalmentStatus.PENDING

    # The run of the due date charges the saved card.
    result = runner.invoke(args=["billing", "run", "--as-of", f"{second.due_on}"])

    assert result.exit_code == 0, result.output
    assert "1 charged" in result.output
    db.expire_all()
    assert second.status is InstalmentStatus.PAID
    assert second.payment.amount == 74400
    assert second.payment.card_last4 == "4242"
    assert quote.status is QuoteStatus.PAID

    page.goto(f"{live_server}/quotes/{quote.token}")
    expect(page.locator("#quote-status")).to_have_text("Paid")
    expect(page.locator("#payment-schedule")).to_contain_text("€744.00")
    schedule_rows = page.locator("#payment-schedule tbody tr")
    expect(schedule_rows.nth(1)).to_contain_text("Paid")

    staff_page.goto(f"{live_server}/merchant/quotes/{quote.id}")
    expect(staff_page.locator("#quote-status")).to_have_text("Paid")
    instalment_rows = staff_page.locator("#instalments tbody tr")
    expect(instalment_rows.nth(1)).to_contain_text("Paid")
    expect(instalment_rows.nth(1)).to_contain_text(second.invoice.number)
    staff_context.close()
