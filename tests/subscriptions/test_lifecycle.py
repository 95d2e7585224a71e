"""Cancelling, pausing, resuming and the payment method of a subscription."""

import secrets
from datetime import UTC, date, datetime
from email import message_from_string
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    Payment,
    Refund,
    RefundReason,
    RefundStatus,
    StaffRole,
)
from portal.models.subscriptions import PeriodStatus, Subscription, SubscriptionStatus
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor
from portal.subscriptions import lifecycle
from portal.subscriptions.errors import SubscriptionError, SubscriptionStateError
from tests.fixtures.staff import make_staff
from tests.payments.builders import ensure_business, paid_payment
from tests.subscriptions.builders import (
    PeriodSpec,
    make_contact,
    make_recurring_price,
    make_saved_method,
    make_subscription,
)

STAFF = "staff:1"  # the staff member the business fixture adds
# 12:00 in Helsinki on 17 January: 15 of January's 31 days are left.
MID_JANUARY = datetime(2027, 1, 17, 10, 0, tzinfo=UTC)
DECEMBER = date(2026, 12, 1)  # period 1 of a monthly plan from here is January


@pytest.fixture
def business(app, db):
    ensure_business(app)
    make_staff(db, StaffRole.ADMIN)
    db.commit()


@pytest.fixture
def monthly(app, db, business):
    """An active monthly subscription whose January period was paid 31.00 EUR."""
    payment_id = paid_payment(app, amount=3100)
    price = make_recurring_price(db, "Studio membership", 3100)
    contact = db.get(Payment, payment_id).contact
    subscription = make_subscription(
        db,
        price,
        contact=contact,
        anchor=DECEMBER,
        periods=[PeriodSpec(0), PeriodSpec(1, payment_id=payment_id)],
    )
    db.commit()
    return subscription


def audit_actions(db, subscription: Subscription) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.subject_type == "subscription",
                AuditEvent.subject_id == subscription.id,
            )
            .order_by(AuditEvent.id)
        )
    )


def refunds_of(db, payment_id: int) -> list[Refund]:
    db.expire_all()
    return list(db.scalars(select(Refund).where(Refund.payment_id == payment_id)))


def test_cancel_at_period_end_keeps_date(app, db, monthly):
    with app.app_context():
        lifecycle.cancel_at_period_end(
            db, monthly, actor=STAFF, now=MID_JANUARY, reason="  Moving abroad "
        )
        lifecycle.cancel_at_period_end(
            db, monthly, actor=STAFF, now=MID_JANUARY, reason="Moving abroad"
        )

    db.refresh(monthly)
    assert monthly.cancel_at_period_end is True
    assert monthly.cancel_reason == "Moving abroad"
    assert monthly.status is SubscriptionStatus.ACTIVE
    assert monthly.next_billing_date == date(2027, 2, 1)
    assert audit_actions(db, monthly) == ["subscription.cancel_scheduled"]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.actor == STAFF
    assert event.details == {"ends_on": "2027-02-01", "reason": "Moving abroad"}


def test_cancel_reason_too_long(app, db, monthly):
    with app.app_context(), pytest.raises(SubscriptionError) as caught:
        lifecycle.cancel_at_period_end(
            db, monthly, actor=STAFF, now=MID_JANUARY, reason="x" * 501
        )

    assert caught.value.field == "reason"
    assert "at most 500" in caught.value.message
    db.rollback()
    assert audit_actions(db, monthly) == []


def test_keep_renewing_undoes_cancel(app, db, monthly):
    with app.app_context():
        lifecycle.cancel_at_period_end(
            db, monthly, actor=STAFF, now=MID_JANUARY, reason=None
        )
        lifecycle.keep_renewing(db, monthly, actor=STAFF, now=MID_JANUARY)
        lifecycle.keep_renewing(db, monthly, actor=STAFF, now=MID_JANUARY)

    db.refresh(monthly)
    assert monthly.cancel_at_period_end is False
    assert monthly.cancel_reason is None
    assert audit_actions(db, monthly) == [
        "subscription.cancel_scheduled",
        "subscription.cancel_undone",
    ]


def test_pause_then_resume_skips_dates(app, db, monthly):
    resumed_at = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)
    with app.app_context():
        lifecycle.pause(db, monthly, actor=STAFF, now=MID_JANUARY)
        lifecycle.pause(db, monthly, actor=STAFF, now=MID_JANUARY)
        db.refresh(monthly)
        assert monthly.status is SubscriptionStatus.PAUSED
        assert monthly.next_billing_date is None
        assert monthly.paused_at == MID_JANUARY

        lifecycle.resume(db, monthly, actor=STAFF, now=resumed_at)
        lifecycle.resume(db, monthly, actor=STAFF, now=resumed_at)

    db.refresh(monthly)
    assert monthly.status is SubscriptionStatus.ACTIVE
    assert monthly.paused_at is None
    # February and March 1 fell in the pause; billing goes on from April 1.
    assert monthly.next_billing_date == date(2027, 4, 1)
    assert monthly.next_period == 4
    assert audit_actions(db, monthly) == ["subscription.paused", "subscription.resumed"]


def test_resume_on_billing_date(app, db, monthly):
    with app.app_context():
        lifecycle.pause(db, monthly, actor=STAFF, now=MID_JANUARY)
        lifecycle.resume(
            db, monthly, actor=STAFF, now=datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
        )

    db.refresh(monthly)
    assert monthly.next_billing_date == date(2027, 2, 1)
    assert monthly.next_period == 2


def test_cancel_paused_at_period_end(app, db, monthly):
    with app.app_context():
        lifecycle.pause(db, monthly, actor=STAFF, now=MID_JANUARY)
        lifecycle.cancel_at_period_end(
            db, monthly, actor=STAFF, now=MID_JANUARY, reason="Closing down"
        )

    db.refresh(monthly)
    assert monthly.status is SubscriptionStatus.PAUSED
    assert monthly.cancel_at_period_end is True
    [scheduled] = [
        event
        for event in db.scalars(select(AuditEvent)).all()
        if event.action == "subscription.cancel_scheduled"
    ]
    # The January period is the last one billed, so the service stops on February 1.
    assert scheduled.details["ends_on"] == "2027-02-01"


def test_cancel_now_without_refund(app, db, monthly):
    monthly.periods[0].status = PeriodStatus.FAILED
    monthly.periods[0].next_attempt_at = MID_JANUARY
    db.commit()

    with app.app_context():
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=False
        )
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=False
        )

    db.refresh(monthly)
    assert monthly.status is SubscriptionStatus.CANCELED
    assert monthly.canceled_at == MID_JANUARY
    assert monthly.ended_at == MID_JANUARY
    assert monthly.next_billing_date is None
    assert monthly.periods[0].status is PeriodStatus.VOID
    assert monthly.periods[0].next_attempt_at is None
    assert refunds_of(db, monthly.periods[1].payment_id) == []
    assert audit_actions(db, monthly) == ["subscription.canceled"]


def test_cancel_now_refunds_unused_days(app, db, monthly):
    payment_id = monthly.periods[1].payment_id
    with app.app_context():
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=True
        )
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=True
        )

    refunds = refunds_of(db, payment_id)
    assert [refund.amount for refund in refunds] == [1500]  # 3100 x 15/31
    assert refunds[0].status is RefundStatus.SUCCEEDED
    assert refunds[0].staff_id == 1
    assert audit_actions(db, monthly) == ["subscription.canceled"]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "subscription.canceled")
    ).one()
    assert event.details["refund_amount"] == "1500"
    assert event.details["refund_payment"] == str(payment_id)


def test_refund_capped_after_partial_refund(app, db, monthly):
    payment_id = monthly.periods[1].payment_id
    with app.app_context():
        refund_payment(
            db,
            get_processor(),
            RefundInput(
                payment_id=payment_id,
                amount=2000,
                reason=RefundReason.REQUESTED_BY_CUSTOMER,
                note=None,
                idempotency_key=secrets.token_urlsafe(24),
            ),
            actor=STAFF,
            staff_id=None,
            client_address=None,
        )
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=True
        )

    amounts = [refund.amount for refund in refunds_of(db, payment_id)]
    # 1500 of unused time, but only 1100 of the period's 3100 is left paid.
    assert amounts == [2000, 1100]


def test_refund_needs_processor_payment(app, db, business):
    price = make_recurring_price(db, "Studio membership", 3100)
    subscription = make_subscription(
        db, price, anchor=DECEMBER, periods=[PeriodSpec(0), PeriodSpec(1)]
    )
    subscription.periods[1].credit_applied = 3100
    db.commit()

    with app.app_context(), pytest.raises(SubscriptionError) as caught:
        lifecycle.cancel_now(
            db, subscription, actor=STAFF, now=MID_JANUARY, refund_unused=True
        )

    assert "paid outside Kassa" in caught.value.message
    db.rollback()
    db.refresh(subscription)
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert audit_actions(db, subscription) == []


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (SubscriptionStatus.CANCELED, "pause"),
        (SubscriptionStatus.PAST_DUE, "pause"),
        (SubscriptionStatus.CANCELED, "resume"),
        (SubscriptionStatus.UNPAID, "resume"),
        (SubscriptionStatus.CANCELED, "keep_renewing"),
        (SubscriptionStatus.UNPAID, "cancel_at_period_end"),
        (SubscriptionStatus.ACTIVE, "resubscribe"),
    ],
)
def test_action_rejected_by_status(app, db, business, status, action):
    price = make_recurring_price(db, "Studio membership", 3100)
    subscription = make_subscription(db, price, anchor=DECEMBER, status=status)
    db.commit()
    options = {"reason": None} if action == "cancel_at_period_end" else {}

    with app.app_context(), pytest.raises(SubscriptionStateError) as caught:
        getattr(lifecycle, action)(
            db, subscription, actor=STAFF, now=MID_JANUARY, **options
        )

    assert caught.value.status_code == 409
    assert f"Subscription {subscription.id} is" in caught.value.message or (
        "already ended" in caught.value.message
    )
    db.rollback()
    assert audit_actions(db, subscription) == []


def test_replace_payment_method(app, db, monthly):
    monthly.periods[0].status = PeriodStatus.FAILED
    monthly.periods[0].next_attempt_at = datetime(2027, 1, 20, tzinfo=UTC)
    method = make_saved_method(
        db, monthly.contact, customer_ref="cus_test_1", method_ref="pm_test_1"
    )
    db.commit()

    with app.app_context():
        lifecycle.replace_payment_method(
            db, monthly, actor="customer", now=MID_JANUARY, saved_method=method
        )
        lifecycle.replace_payment_method(
            db, monthly, actor="customer", now=MID_JANUARY, saved_method=method
        )

    db.refresh(monthly)
    assert monthly.saved_method_id == method.id
    # The failed renewal is retried with the new method at the next run.
    assert monthly.periods[0].next_attempt_at == MID_JANUARY
    assert audit_actions(db, monthly) == ["subscription.payment_method_replaced"]
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.details == {"from": "none", "to": "visa ending 4242"}


def test_other_contacts_method_rejected(app, db, monthly):
    stranger = make_contact(db, "someone@example.com")
    method = make_saved_method(
        db, stranger, customer_ref="cus_test_2", method_ref="pm_test_2"
    )
    db.commit()

    with app.app_context(), pytest.raises(SubscriptionError) as caught:
        lifecycle.replace_payment_method(
            db, monthly, actor="customer", now=MID_JANUARY, saved_method=method
        )

    assert caught.value.field == "saved_method"
    db.rollback()
    db.refresh(monthly)
    assert monthly.saved_method_id is None


def test_test_clock_decides_today(app, db, monthly):
    monthly.clock_at = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    db.commit()

    with app.app_context():
        lifecycle.cancel_now(
            db, monthly, actor=STAFF, now=MID_JANUARY, refund_unused=True
        )

    db.refresh(monthly)
    assert monthly.canceled_at == monthly.clock_at
    payment_id = monthly.periods[1].payment_id
    assert [refund.amount for refund in refunds_of(db, payment_id)] == [100]


def outbox(app) -> list[str]:
    return [
        path.read_text(errors="replace")
        for path in sorted(Path(app.config["KASSA_OUTBOX"]).glob("*"))
    ]


def cancellation_emails(app) -> list[str]:
    """Return the plain-text bodies of the cancellation emails to the customer."""
    messages = [
        message_from_string(text, policy=default_policy) for text in outbox(app)
    ]
    return [
        message.get_body(("plain",)).get_content()
        for message in messages
        if message["Subject"].startswith("Your subscription to Nordlys Studio")
        and message["To"] == "aino@example.com"
    ]


def test_cancel_now_refund_gives_no_reason(app, db, monthly):
    payment_id = monthly.periods[1].payment_id
    with app.app_context():
        lifecycle.cancel_now(
            db,
            monthly,
            actor=STAFF,
            now=MID_JANUARY,
            refund_unused=True,
            notify_customer=True,
        )

    [refund] = refunds_of(db, payment_id)
    assert refund.reason is RefundReason.OTHER
    texts = outbox(app)
    [receipt] = [text for text in texts if "Subject: Refund" in text]
    assert "Requested by you" not in receipt


def test_cancel_now_records_chosen_reason(app, db, monthly):
    payment_id = monthly.periods[1].payment_id
    with app.app_context():
        lifecycle.cancel_now(
            db,
            monthly,
            actor=STAFF,
            now=MID_JANUARY,
            refund_unused=True,
            refund_reason=RefundReason.DUPLICATE,
        )

    [refund] = refunds_of(db, payment_id)
    assert refund.reason is RefundReason.DUPLICATE


def test_cancel_now_emails_customer_once(app, db, monthly):
    with app.app_context():
        for _ in range(2):
            lifecycle.cancel_now(
                db,
                monthly,
                actor=STAFF,
                now=MID_JANUARY,
                refund_unused=False,
                notify_customer=True,
            )

    [email] = cancellation_emails(app)
    assert "Nordlys Studio has canceled your subscription" in email
    assert "as of January 17, 2027" in email
    assert f"/account/subscriptions/{monthly.token}" in email


def test_cancel_at_period_end_emails_end(app, db, monthly):
    with app.app_context():
        for _ in range(2):
            lifecycle.cancel_at_period_end(
                db,
                monthly,
                actor=STAFF,
                now=MID_JANUARY,
                reason=None,
                notify_customer=True,
            )

    [email] = cancellation_emails(app)
    assert "ends on February 1, 2027" in email
    assert "not renewed" in email
    assert f"/account/subscriptions/{monthly.token}" in email
