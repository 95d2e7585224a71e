"""A subscription page shows the customer a charge that failed."""

from datetime import date

from babel.dates import format_date

from portal.billing.renewals import bill_subscription
from portal.billing.states import local_date
from portal.models import PeriodStatus, Subscription, SubscriptionStatus
from tests.billing.conftest import (
    DECLINED_LATER,
    VISA,
    periods_of,
    save_card,
    subscribe,
)

START = date(2026, 3, 2)


def failed_subscription(app, db, contact, number=DECLINED_LATER):
    """Start a monthly 19.00 EUR subscription whose first charge is declined."""
    processor = app.extensions["kassa.processor"]
    method = save_card(db, processor, contact, number)
    subscription = subscribe(db, contact, start=START, saved_method=method)
    with app.app_context():
        bill_subscription(db, subscription, START, processor=processor)
    return subscription


def test_failed_charge_shown_with_retry(app, aino_client, db, aino):
    subscription = failed_subscription(app, db, aino)
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    retry_on = local_date(period.next_attempt_at, "Europe/Helsinki")

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")

    html = page.get_data(as_text=True)
    assert 'id="unpaid-charge"' in html
    assert "The payment of €19.00 for the period from March 2, 2026 failed." in html
    expected = format_date(retry_on, "long", locale="en")
    assert f"We will try again on {expected} with the payment method below." in html
    assert "Payment failed" in html


def test_paid_subscription_shows_no_warning(app, aino_client, db, aino):
    subscription = failed_subscription(app, db, aino, number=VISA)
    assert db.get(Subscription, subscription.id).status is SubscriptionStatus.ACTIVE

    page = aino_client.get(f"/account/subscriptions/{subscription.token}")

    assert 'id="unpaid-charge"' not in page.get_data(as_text=True)
