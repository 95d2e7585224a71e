"""A sales user builds, publishes and shares a quote in Chromium."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import InstalmentDue, Quote, QuoteStatus, StaffRole
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def sales_page(page, live_server, db):
    """Sign in as sales staff and open the quotes index."""
    make_business(db, timezone="UTC")
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
    page.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Quotes"
    ).click()
    return console_errors


def test_build_and_publish_two_instalments(page, sales_page, db):
    page.get_by_role("link", name="New quote").click()
    page.get_by_label("Contact email").fill("aino@example.com")
    page.get_by_label("Name of a new contact").fill("Aino Virtanen")
    page.get_by_label("Title").fill("Studio photography")
    page.get_by_label("Description of line 1").fill("Half-day shoot")
    page.get_by_label("Unit amount of line 1").fill("1200.00")
    page.get_by_label("Name of buyer 1").fill("Aino Virtanen")
    page.get_by_label("Email of buyer 1").fill("aino@example.com")

    page.get_by_role("button", name="Add instalment").click()
    expect(page.get_by_label("Share of instalment 1")).to_be_focused()
    page.get_by_label("Share of instalment 1").fill("40%")
    page.get_by_role("button", name="Add instalment").click()
    expect(page.get_by_label("Share of instalment 2")).to_be_visible()
    page.get_by_label("Share of instalment 2").fill("60%")
    page.get_by_label("Due rule of instalment 2").select_option("days_after")
    page.get_by_label("Days after signature of instalment 2").fill("30")
    # The htmx swaps kept what was typed above the schedule.
    expect(page.get_by_label("Title")).to_have_value("Studio photography")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft quote saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#quote-status")).to_have_text("Published")

    db.expire_all()
    quote = db.scalars(select(Quote)).one()
    assert quote.status is QuoteStatus.PUBLISHED
    assert [part.amount for part in quote.instalments] == [48000, 72000]
    assert quote.instalments[1].due is InstalmentDue.DAYS_AFTER
    buyer_url = page.get_by_label("Quote page")
    expect(buyer_url).to_have_value(
        f"{page.url.split('/merchant')[0]}/quotes/{quote.token}"
    )
    assert sales_page == []
