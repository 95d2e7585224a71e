"""The dashboard page."""

from datetime import timedelta

from portal.database import now_utc
from portal.models import PaymentStatus, StaffRole
from tests.factories import make_business
from tests.test_sales_summary import add_payment


def test_dashboard_shows_totals(client, db, signed_in):
    make_business(db, timezone="UTC")
    add_payment(db, 12345, "EUR", PaymentStatus.SUCCEEDED, now_utc())
    add_payment(db, 500, "JPY", PaymentStatus.SUCCEEDED, now_utc() - timedelta(days=3))
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)

    assert "€123.45" in page
    assert "¥500" in page
    assert "1 payment" in page


def test_dashboard_links_pages_of_role(client, signed_in):
    signed_in(StaffRole.OWNER)

    page = client.get("/merchant/").get_data(as_text=True)

    assert 'href="/merchant/settings"' in page
    assert 'href="/merchant/staff"' in page


def test_viewer_sees_no_staff_link(client, signed_in):
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)

    assert 'href="/merchant/staff"' not in page
    assert 'href="/merchant/settings"' not in page
