"""An admin refunds part of a payment in Chromium, double-clicking the button."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import Refund, RefundStatus, StaffRole
from tests.fixtures.staff import STAFF_PASSWORD, make_staff
from tests.payments.builders import paid_payment

pytestmark = pytest.mark.browser


def test_double_clicked_refund_refunds_once(page, live_server, app, db):
    payment_id = paid_payment(app, amount=5000)
    staff = make_staff(db, role=StaffRole.ADMIN)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/payments/{payment_id}")

    amount = page.get_by_label("Amount to refund")
    expect(amount).to_have_value("50.00")
    amount.fill("20.00")
    page.get_by_label("Reason").select_option("duplicate")
    page.get_by_label("Note for staff").fill("Charged twice at the market stall")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund", exact=True).dblclick()

    expect(page.locator(".flash-success")).to_have_text(
        "Refunded €20.00 as RFD-000001."
    )
    expect(page.locator("#refundable-amount")).to_have_text("€30.00")
    expect(page.get_by_label("Amount to refund")).to_have_value("30.00")
    db.expire_all()
    [refund] = db.scalars(select(Refund)).all()
    assert refund.amount == 2000
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.note == "Charged twice at the market stall"


def test_refund_above_remainder_shows_message(page, live_server, app, db):
    payment_id = paid_payment(app, amount=5000)
    staff = make_staff(db, role=StaffRole.OWNER)
    db.commit()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/payments/{payment_id}")

    page.get_by_label("Amount to refund").fill("60")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund", exact=True).click()

    expect(page.locator("#amount-error")).to_have_text(
        "A refund of €60.00 is more than the €50.00 left to refund. "
        "Enter at most €50.00."
    )
    assert db.scalars(select(Refund)).all() == []


def test_dismissed_confirmation_refunds_nothing(page, live_server, app, db):
    payment_id = paid_payment(app, amount=5000)
    staff = make_staff(db, role=StaffRole.ADMIN)
    db.commit()
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.goto(f"{live_server}/merchant/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/merchant/payments/{payment_id}")
    page.on("dialog", dismiss)
    page.get_by_role("button", name="Refund", exact=True).click()

    expect(page.locator("#refundable-amount")).to_have_text("€50.00")
    assert questions == [
        "Refund the amount entered to the buyer? A refund cannot be undone."
    ]
    assert page.locator(".flash-success").count() == 0
    assert db.scalars(select(Refund)).all() == []
