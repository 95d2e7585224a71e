"""Failed renewals: retried on the business's schedule, then given up."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.billing.run import bill_due
from portal.models import (
    AuditEvent,
    PaymentStatus,
    PeriodStatus,
    SubscriptionStatus,
)
from tests.billing.conftest import (
    DECLINED_LATER,
    VISA,
    payments_of,
    periods_of,
    save_card,
    subscribe,
)
from tests.fixtures.app import build_app

START = date(2027, 3, 1)
PUBLIC_URL = "https://pay.nordlys.example"


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp_server):
    app = build_app(
        database_url,
        tmp_path,
        KASSA_SMTP_URL=smtp_server.url,
        KASSA_PUBLIC_URL=PUBLIC_URL,
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def run(app, as_of: date):
    with app.app_context():
        return bill_due(app.extensions["kassa.sessionmaker"], as_of)


def subjects(smtp_server) -> list[str]:
    return [received.message["Subject"] for received in smtp_server.messages]


def test_failed_charge_schedules_retry(app, db, contact, processor):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    summary = run(app, START)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.attempts == 1
    # One day after the failure, from midnight in Helsinki (UTC+2 in March).
    assert period.next_attempt_at == datetime(2027, 3, 1, 22, 0, tzinfo=UTC)
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.PAST_DUE
    assert subscription.next_period == 1
    [payment] = payments_of(db, subscription)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.failure_message == "Your card was declined. Try another card."
    assert summary.failed == 1
    assert summary.periods_billed == 1


def test_failure_email_links_to_card_update(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run(app, START)

    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["aino@example.com"]
    assert message["Subject"] == (
        "Your payment to Nordlys Studio failed: update your payment method"
    )
    text = message.get_body(("plain",)).get_content()
    link = f"{PUBLIC_URL}/account/subscriptions/{subscription.token}/payment-method"
    assert link in text
    assert link in message.get_body(("html",)).get_content()
    assert "€19.00" in text
    assert "Your card was declined." in text
    assert "We will try again on March 2, 2027." in text


def test_retry_after_card_update_succeeds(app, db, contact, processor, smtp_server):
    declining = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=declining)
    run(app, START)
    second = run(app, date(2027, 3, 2))
    assert second.failed == 1
    [period] = periods_of(db, subscription)
    # The retries fall 1 and 3 days after the first failure.
    assert period.next_attempt_at == datetime(2027, 3, 3, 22, 0, tzinfo=UTC)

    subscription.saved_method_id = save_card(db, processor, contact, VISA).id
    db.commit()
    assert run(app, date(2027, 3, 3)).charged == 0
    summary = run(app, date(2027, 3, 4))

    [period] = periods_of(db, subscription)
    assert summary.charged == 1
    assert summary.periods_billed == 0
    assert period.status is PeriodStatus.PAID
    assert period.attempts == 3
    assert period.next_attempt_at is None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    paid = [p for p in payments_of(db, subscription) if p.status.value == "succeeded"]
    assert [payment.id for payment in paid] == [period.payment_id]
    assert subjects(smtp_server)[-2].startswith("Receipt from Nordlys Studio #")
    assert subjects(smtp_server)[-1].startswith("New payment: €19.00")


def test_active_again_bills_next_period(app, db, contact, processor):
    declining = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=declining)
    run(app, START)
    subscription.saved_method_id = save_card(db, processor, contact, VISA).id
    db.commit()

    run(app, date(2027, 4, 1))

    periods = periods_of(db, subscription)
    assert [period.status for period in periods] == [
        PeriodStatus.PAID,
        PeriodStatus.PAID,
    ]
    assert periods[1].starts_on == date(2027, 4, 1)


def run_retries(app) -> None:
    for day in (1, 2, 4, 6, 8):
        run(app, date(2027, 3, day))


def test_retries_exhausted_cancel(app, db, contact, processor, smtp_server):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run_retries(app)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.UNCOLLECTIBLE
    assert period.attempts == 5
    assert period.next_attempt_at is None
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.CANCELED
    assert subscription.next_billing_date is None
    assert subscription.ended_at is not None
    assert len(payments_of(db, subscription)) == 5
    assert subjects(smtp_server)[-1] == (
        "Your subscription to Nordlys Studio has been canceled"
    )
    assert run(app, date(2027, 5, 1)).periods_billed == 0


def test_cancellation_email_links_subscription(
    app, db, contact, processor, smtp_server
):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run_retries(app)

    message = smtp_server.messages[-1].message
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    page = f"{PUBLIC_URL}/account/subscriptions/{subscription.token}"
    assert "every retry failed" in text
    assert "Your subscription has been canceled." in text
    assert f"{page}\r\n" in text
    assert f'href="{page}"' in html
    assert "/payment-method" not in text
    assert "/payment-method" not in html
    assert "Update your payment method" not in text
    assert "Try another card" not in text
    assert "Try another card" not in html


def test_retries_exhausted_unpaid(app, db, business, contact, processor):
    business.subscription_after_retries = "unpaid"
    db.commit()
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run_retries(app)

    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.UNPAID
    assert subscription.next_billing_date == date(2027, 4, 1)
    assert run(app, date(2027, 5, 1)).periods_billed == 0


def test_retry_days_from_settings(app, db, business, contact, processor):
    business.subscription_retry_days = [2]
    db.commit()
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run(app, START)
    assert run(app, date(2027, 3, 2)).failed == 0
    summary = run(app, date(2027, 3, 3))

    assert summary.failed == 1
    assert summary.ended == 1
    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.UNCOLLECTIBLE


def test_missing_saved_method_fails(app, db, contact, smtp_server):
    subscription = subscribe(db, contact, start=START, saved_method=None)

    summary = run(app, START)

    [period] = periods_of(db, subscription)
    assert period.status is PeriodStatus.FAILED
    assert period.payment_id is None
    assert payments_of(db, subscription) == []
    assert summary.failed == 1
    text = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    assert "No payment method is saved for this subscription." in text
    assert f"/account/subscriptions/{subscription.token}/payment-method" in text


def test_failure_writes_audit_rows(app, db, contact, processor):
    card = save_card(db, processor, contact, DECLINED_LATER)
    subscription = subscribe(db, contact, start=START, saved_method=card)

    run(app, START)

    [period] = periods_of(db, subscription)
    rows = db.query(AuditEvent).order_by(AuditEvent.id).all()
    actions = [(row.subject_type, row.action, row.to_state) for row in rows]
    assert ("payment", "payment.created", "requires_payment_method") in actions
    assert (
        "subscription",
        "subscription.status_changed",
        "past_due",
    ) in actions
    assert (
        "subscription_period",
        "subscription_period.created",
        "failed",
    ) in actions
    created = next(r for r in rows if r.action == "subscription_period.created")
    assert created.subject_id == period.id
    assert created.details["amount"] == "1900"
