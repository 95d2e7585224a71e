"""A quote signed by its buyer and a countersigner, then paid, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import InstalmentDue, InstalmentStatus, QuoteStatus
from tests.fixtures.staff import STAFF_PASSWORD
from tests.quotes.published import Part, publish_quote, signer_path

pytestmark = pytest.mark.browser


def detail_page_missing(app) -> bool:
    """Tell whether the back office has no quote detail page to countersign on."""
    adapter = app.url_map.bind("127.0.0.1")
    return not adapter.test("/merchant/quotes/1", method="GET")


def test_sign_countersign_and_pay(app, browser, page, live_server, db):
    if detail_page_missing(app):
        pytest.skip("the back office has no quote detail page at /merchant/quotes/<id>")
    quote = publish_quote(
        db,
        countersigners=("Sara Sales",),
        parts=(Part("40"), Part("60", due=InstalmentDue.DAYS_AFTER, days=30)),
    )
    countersigner = quote.countersigners[0]

    # The buyer reads the whole quote through their own link and signs it.
    page.goto(f"{live_server}{signer_path(quote, quote.buyers[0])}")
    expect(page.locator("#quote-title")).to_have_text("Website redesign")
    expect(page.locator("#quote-terms")).to_contain_text("Work starts on acceptance.")
    expect(page.locator("#payment-schedule")).to_contain_text("Instalment 2 of 2")
    page.get_by_label(re.compile("I agree to sign this quote electronically")).check()
    page.get_by_label("Type your full name").fill("Aino Virtanen")
    page.get_by_role("button", name="Sign the quote").click()
    expect(page.locator("#signer-signed")).to_contain_text("You signed this quote")
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
    staff_context.close()

    # The buyer pays the first instalment and saves the card for the second.
    page.goto(f"{live_server}/quotes/{quote.token}")
    expect(page.locator("#quote-status")).to_have_text("Accepted")
    expect(page.locator("#pay-amount")).to_have_text("€496.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label(re.compile("Save my payment details")).check()
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    expect(page.locator("#amount-paid")).to_have_text("€496.00")
    db.expire_all()
    first, second = quote.instalments
    assert quote.status is QuoteStatus.ACCEPTED
    assert first.status is InstalmentStatus.PAID
    assert second.status is InstalmentStatus.PENDING
    assert quote.saved_method is not None

    page.goto(f"{live_server}/quotes/{quote.token}")
    expect(page.locator("#instalment-paid")).to_be_visible()
    expect(page.locator("#pay-button")).to_have_count(0)


def test_draw_sign_and_pay_whole_amount(page, live_server, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]

    page.goto(f"{live_server}{signer_path(quote, signer)}")
    page.get_by_label(re.compile("I agree to sign this quote electronically")).check()
    page.get_by_label("Type your full name").fill("Aino Virtanen")
    canvas = page.locator("#signature-pad canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 30, steps=5)
    page.mouse.move(box["x"] + 220, box["y"] + 80, steps=5)
    page.mouse.up()
    page.get_by_role("button", name="Sign the quote").click()

    expect(page.locator("#signer-signed")).to_contain_text("You signed this quote")
    db.expire_all()
    assert signer.drawn_signature.startswith("data:image/png;base64,")
    assert quote.status is QuoteStatus.ACCEPTED

    page.goto(f"{live_server}/quotes/{quote.token}")
    expect(page.locator("#download-signed")).to_be_visible()
    expect(page.locator("#pay-amount")).to_have_text("€1,240.00")
    expect(page.locator("#save_payment_method")).to_have_count(0)
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12 / 40")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay")).click()

    expect(
        page.get_by_role("heading", name="Thank you for your payment")
    ).to_be_visible()
    db.expire_all()
    assert quote.status is QuoteStatus.PAID


def test_keyboard_signs_without_drawing(page, live_server, db):
    quote = publish_quote(db)
    signer = quote.buyers[0]

    page.goto(f"{live_server}{signer_path(quote, signer)}")
    page.get_by_label(re.compile("I agree to sign this quote electronically")).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Aino Virtanen")
    page.keyboard.press("Enter")

    expect(page.locator("#signer-signed")).to_contain_text("You signed this quote")
    db.expire_all()
    assert signer.typed_name == "Aino Virtanen"
    assert signer.drawn_signature is None
