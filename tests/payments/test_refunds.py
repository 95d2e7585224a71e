"""Refunding a payment: remainders, idempotency, failures, audit rows and races."""

import secrets
import threading

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    Payment,
    Refund,
    RefundReason,
    RefundStatus,
    StaffRole,
)
from portal.models import testmode as testmode_models
from portal.payments.errors import PaymentActionError, RefundRejected
from portal.payments.refunds import RefundInput, refund_payment
from portal.processors import get_processor
from tests.fixtures.staff import make_staff
from tests.payments.builders import REFUND_FAILING_CARD, paid_payment

PROCESSOR_REFUNDS = testmode_models.TestModeRefund.__table__


@pytest.fixture
def admin(db):
    staff = make_staff(db, role=StaffRole.ADMIN, name="Ella Admin")
    db.commit()
    return staff


def refund(app, payment_id, amount, staff, key=None, reason=None, note=None):
    """Refund through the domain function with a session of its own."""
    request = RefundInput(
        payment_id=payment_id,
        amount=amount,
        reason=reason or RefundReason.REQUESTED_BY_CUSTOMER,
        note=note,
        idempotency_key=key or secrets.token_urlsafe(24),
    )
    with app.app_context(), app.extensions["kassa.sessionmaker"]() as session:
        refund_row = refund_payment(
            session,
            get_processor(),
            request,
            actor=f"staff:{staff.id}",
            staff_id=staff.id,
            client_address="192.0.2.7",
        )
        return refund_row.id


def load_payment(db, payment_id) -> Payment:
    db.expire_all()
    return db.get(Payment, payment_id)


def refund_rows(db) -> list[Refund]:
    db.expire_all()
    return list(db.scalars(select(Refund).order_by(Refund.id)))


def processor_refund_count(db) -> int:
    return db.scalar(select(func.count()).select_from(PROCESSOR_REFUNDS))


def test_partial_refund_succeeds(app, db, admin):
    payment_id = paid_payment(app, amount=5000)

    refund(app, payment_id, 2000, admin)

    [refund_row] = refund_rows(db)
    assert refund_row.status is RefundStatus.SUCCEEDED
    assert refund_row.amount == 2000
    assert refund_row.currency == "EUR"
    assert refund_row.receipt_number == "RFD-000001"
    assert refund_row.processor_ref.startswith("re_test_")
    assert refund_row.staff_id == admin.id
    assert refund_row.refunded_at is not None
    payment = load_payment(db, payment_id)
    assert payment.refunded_amount == 2000
    assert payment.refundable_amount == 3000
    assert payment.refund_state == "partially_refunded"


def test_refunds_up_to_full_amount(app, db, admin):
    payment_id = paid_payment(app, amount=5000)

    refund(app, payment_id, 3000, admin)
    refund(app, payment_id, 2000, admin)

    numbers = [refund_row.receipt_number for refund_row in refund_rows(db)]
    assert numbers == ["RFD-000001", "RFD-000002"]
    payment = load_payment(db, payment_id)
    assert payment.refunded_amount == 5000
    assert payment.refundable_amount == 0
    assert payment.refund_state == "refunded"


def test_refund_above_remainder_is_rejected(app, db, admin):
    payment_id = paid_payment(app, amount=5000)
    refund(app, payment_id, 3000, admin)

    with pytest.raises(RefundRejected) as raised:
        refund(app, payment_id, 2001, admin)

    assert raised.value.refundable == 2000
    assert "€20.01" in raised.value.message
    assert "€20.00 left to refund" in raised.value.message
    assert raised.value.field == "amount"
    assert len(refund_rows(db)) == 1
    assert processor_refund_count(db) == 1


@pytest.mark.parametrize("amount", [0, -500])
def test_non_positive_amount_is_rejected(app, db, admin, amount):
    payment_id = paid_payment(app, amount=5000)

    with pytest.raises(RefundRejected) as raised:
        refund(app, payment_id, amount, admin)

    assert raised.value.refundable == 5000
    assert "above zero" in raised.value.message
    assert "€50.00" in raised.value.message
    assert refund_rows(db) == []
    assert processor_refund_count(db) == 0


def test_fully_refunded_payment_is_rejected(app, db, admin):
    payment_id = paid_payment(app, amount=5000)
    refund(app, payment_id, 5000, admin)

    with pytest.raises(RefundRejected) as raised:
        refund(app, payment_id, 1, admin)

    assert raised.value.refundable == 0
    assert "already been refunded in full" in raised.value.message


def test_repeated_key_refunds_once(app, db, admin):
    payment_id = paid_payment(app, amount=5000)
    key = secrets.token_urlsafe(24)

    first = refund(app, payment_id, 1000, admin, key=key)
    again = refund(app, payment_id, 1000, admin, key=key)

    assert again == first
    assert len(refund_rows(db)) == 1
    assert processor_refund_count(db) == 1
    assert load_payment(db, payment_id).refundable_amount == 4000


def test_missing_key_is_rejected(app, db, admin):
    payment_id = paid_payment(app, amount=5000)

    with pytest.raises(PaymentActionError) as raised:
        refund(app, payment_id, 1000, admin, key="short")

    assert "Reload the page" in raised.value.message
    assert refund_rows(db) == []


def test_audit_rows_name_staff(app, db, admin):
    payment_id = paid_payment(app, amount=5000)

    refund_id = refund(app, payment_id, 2000, admin)

    db.expire_all()
    refund_events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "refund", AuditEvent.subject_id == refund_id)
        .order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in refund_events] == [
        "refund.created",
        "refund.succeeded",
    ]
    assert {event.actor for event in refund_events} == {f"staff:{admin.id}"}
    assert refund_events[0].client_address == "192.0.2.7"
    assert refund_events[0].details["amount"] == "2000"
    payment_event = db.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "payment",
            AuditEvent.subject_id == payment_id,
            AuditEvent.action == "payment.refunded",
        )
    ).one()
    assert payment_event.actor == f"staff:{admin.id}"
    assert payment_event.from_state == "succeeded"
    assert payment_event.to_state == "partially_refunded"


def test_processor_failure_records_failed_attempt(app, db, admin, tmp_path):
    payment_id = paid_payment(app, amount=5000, card=REFUND_FAILING_CARD)
    sent_before = len(list((tmp_path / "outbox").glob("*.eml")))

    refund_id = refund(app, payment_id, 5000, admin)

    [refund_row] = refund_rows(db)
    assert refund_row.id == refund_id
    assert refund_row.status is RefundStatus.FAILED
    assert "another way" in refund_row.failure_message
    assert refund_row.receipt_number is None
    payment = load_payment(db, payment_id)
    assert payment.refunded_amount == 0
    assert payment.refundable_amount == 5000
    assert payment.refund_state is None
    actions = db.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "refund", AuditEvent.subject_id == refund_id
        )
    ).all()
    assert "refund.failed" in actions
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == sent_before


def test_concurrent_refunds_above_payment(app, db, admin):
    """Two partial refunds whose sum exceeds the payment: exactly one is refund_row."""
    payment_id = paid_payment(app, amount=5000)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def refund_at_once() -> None:
        barrier.wait()
        try:
            outcomes.append(refund(app, payment_id, 3000, admin))
        except RefundRejected as error:
            outcomes.append(error)

    threads = [threading.Thread(target=refund_at_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    rejected = [outcome for outcome in outcomes if isinstance(outcome, RefundRejected)]
    assert len(outcomes) == 2
    assert len(rejected) == 1
    assert rejected[0].refundable == 2000
    assert "€20.00 left to refund" in rejected[0].message
    [refund_row] = refund_rows(db)
    assert refund_row.status is RefundStatus.SUCCEEDED
    assert processor_refund_count(db) == 1
    assert load_payment(db, payment_id).refundable_amount == 2000
