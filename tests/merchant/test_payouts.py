"""The payouts list and the processor badge of the back office."""

from datetime import UTC, date, datetime

from portal.models import Payout, PayoutStatus, StaffRole
from tests.factories import make_business
from tests.fixtures.app import build_app
from tests.fixtures.staff import sign_in


def add_payout(db, ref: str, amount: int, status: PayoutStatus, day: int, **fields):
    payout = Payout(
        processor="stripe",
        processor_ref=ref,
        amount=amount,
        currency="EUR",
        status=status,
        arrival_date=date(2026, 12, day + 2),
        initiated_at=datetime(2026, 12, day, 9, 0, tzinfo=UTC),
        **fields,
    )
    db.add(payout)
    return payout


def test_payouts_listed_newest_first(client, db, signed_in):
    make_business(db, timezone="UTC")
    add_payout(db, "po_older", 10000, PayoutStatus.PAID, 1)
    add_payout(
        db,
        "po_newer",
        25050,
        PayoutStatus.FAILED,
        3,
        failure_message="The bank account has been closed.",
    )
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/payouts").get_data(as_text=True)

    assert page.index("po_newer") < page.index("po_older")
    assert "€250.50" in page
    assert "€100.00" in page
    assert "The bank account has been closed." in page
    assert "2026-12-05" in page


def test_payouts_in_navigation(client, db, signed_in):
    make_business(db)
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)

    assert 'href="/merchant/payouts"' in page


def test_no_payouts_says_where_they_come_from(client, db, signed_in):
    make_business(db)
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/payouts").get_data(as_text=True)

    assert "No payouts yet" in page


def test_payouts_need_sign_in(client):
    response = client.get("/merchant/payouts")

    assert response.status_code == 302
    assert "/merchant/login" in response.headers["Location"]


def test_badge_names_test_mode_processor(client, db, signed_in):
    make_business(db)
    db.commit()
    signed_in(StaffRole.VIEWER)

    page = client.get("/merchant/").get_data(as_text=True)

    assert ">Test-mode processor<" in page
    assert "mode-test" in page


def test_badge_names_stripe_modes(database_url, tmp_path):
    keys = {
        "test": ("sk_test_a", "pk_test_a", "Stripe test mode", "mode-test"),
        "live": ("sk_live_a", "pk_live_a", "Stripe live mode", "mode-live"),
    }
    for secret, publishable, label, css in keys.values():
        app = build_app(
            database_url,
            tmp_path,
            KASSA_PROCESSOR="stripe",
            KASSA_STRIPE_SECRET_KEY=secret,
            KASSA_STRIPE_PUBLISHABLE_KEY=publishable,
            KASSA_STRIPE_WEBHOOK_SECRET="whsec_a",
            # Nothing here may need Stripe: a closed port proves it.
            KASSA_STRIPE_API_BASE="http://127.0.0.1:9",
        )
        try:
            client = app.test_client()
            sign_in(client, StaffRole.VIEWER)
            page = client.get("/merchant/").get_data(as_text=True)
        finally:
            app.extensions["kassa.engine"].dispose()

        assert f">{label}<" in page
        assert css in page
