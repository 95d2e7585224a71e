"""A sales user starts a monthly subscription in Chromium and watches it renew."""

import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.billing.schedule import add_months
from portal.database import now_utc
from portal.models import StaffRole
from portal.models.subscriptions import (
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.processors import get_processor
from portal.processors.base import CardDetails
from tests.factories import make_business
from tests.fixtures.staff import STAFF_PASSWORD, make_staff
from tests.subscriptions.builders import (
    make_contact,
    make_recurring_price,
    make_saved_method,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    """A monthly membership, and Aino with a visa card saved in test mode."""
    make_business(db, timezone="UTC")
    make_recurring_price(db, "Studio membership", 1200)
    db.commit()
    with app.app_context():
        card = get_processor().save_card(
            customer="cus_test_aino",
            details=CardDetails("4242424242424242", 12, 2040, "123"),
            idempotency_key=secrets.token_hex(8),
        )
    make_saved_method(
        db, make_contact(db), customer_ref="cus_test_aino", method_ref=card.id
    )
    staff = make_staff(db, role=StaffRole.SALES)
    db.commit()
    return staff


def period_row(page, index: int):
    """Return the row of period ``index``, which the page numbers from 1."""
    return page.locator("#periods tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(rf"^{index + 1}$"))
    )


def test_start_renew_and_cancel(page, live_server, db, shop):
    today = now_utc().date()
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(shop.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/subscriptions")
    page.get_by_role("link", name="New subscription").click()

    # Choosing the contact brings up their saved card through htmx.
    page.get_by_label("Contact email").fill("aino@example.com")
    page.get_by_label("Contact email").press("Tab")
    card = page.get_by_label("Visa ending 4242, expires 12/2040")
    expect(card).to_be_visible()
    page.get_by_label("Price 1", exact=True).select_option(
        label="Studio membership: €12.00 monthly"
    )
    page.get_by_label("Charge automatically on each billing date").check()
    card.check()
    page.get_by_role("button", name="Start subscription", exact=True).click()

    expect(page.locator(".flash-success")).to_contain_text("Period 0 is paid: €12.00.")
    expect(page.locator("#subscription-status")).to_have_text("Active")
    expect(period_row(page, 0).locator(".tag")).to_have_text("paid")
    first_renewal = add_months(today, 1)
    expect(page.locator("#next-billing-date")).to_have_text(first_renewal.isoformat())

    page.get_by_role("button", name="Advance one period").click()

    expect(page.locator(".flash-success")).to_contain_text(
        f"The clock is at {first_renewal.isoformat()}."
    )
    expect(period_row(page, 1).locator(".tag")).to_have_text("paid")
    second_renewal = add_months(today, 2)
    expect(page.locator("#next-billing-date")).to_have_text(second_renewal.isoformat())

    page.get_by_role("textbox", name="Reason (optional)").fill("Moving abroad")
    page.get_by_role("button", name="Cancel at period end").click()

    expect(page.locator(".flash-success")).to_have_text(
        "The subscription ends at the end of the current period. "
        "The customer is emailed the end date."
    )
    expect(page.locator("#cancel-pending")).to_have_text("Cancels at period end")
    db.expire_all()
    subscription = db.scalars(select(Subscription)).one()
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.cancel_at_period_end is True
    assert subscription.cancel_reason == "Moving abroad"
    assert [period.status for period in subscription.periods] == [
        PeriodStatus.PAID,
        PeriodStatus.PAID,
    ]
    assert subscription.periods[1].amount == 1200
