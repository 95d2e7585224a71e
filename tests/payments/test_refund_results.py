"""Refund states reported later by the processor, as a webhook delivers them."""

import secrets

from sqlalchemy import select

from portal.models import AuditEvent, Payment, Refund, RefundReason, RefundStatus
from portal.payments.refunds import apply_refund_result
from portal.processors.base import RefundResult
from tests.payments.builders import paid_payment


def pending_refund(db, payment_id: int, amount: int) -> Refund:
    """Add a refund the processor accepted as pending, as a bank refund would be."""
    refund = Refund(
        payment_id=payment_id,
        amount=amount,
        currency="EUR",
        reason=RefundReason.REQUESTED_BY_CUSTOMER,
        status=RefundStatus.PENDING,
        processor_ref=f"re_{secrets.token_hex(8)}",
        idempotency_key=secrets.token_urlsafe(24),
    )
    db.add(refund)
    db.commit()
    return refund


def result(refund: Refund, status: RefundStatus, message=None) -> RefundResult:
    return RefundResult(
        id=refund.processor_ref,
        status=status,
        amount=refund.amount,
        currency=refund.currency,
        failure_message=message,
    )


def test_pending_refund_holds_its_amount(app, db):
    payment_id = paid_payment(app, amount=5000)

    pending_refund(db, payment_id, 2000)

    db.expire_all()
    payment = db.get(Payment, payment_id)
    assert payment.refundable_amount == 3000
    assert payment.refunded_amount == 0
    assert payment.refund_state is None


def test_pending_refund_succeeds_later(app, db):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)

    with app.app_context():
        succeeded = apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.SUCCEEDED),
            actor="system",
            client_address=None,
        )
        db.commit()

    assert succeeded is True
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.receipt_number == "RFD-000001"
    assert refund.refunded_at is not None
    db.expire_all()
    assert db.get(Payment, payment_id).refund_state == "partially_refunded"
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.actor == "system")
    ).all()
    assert "refund.succeeded" in actions
    assert "payment.refunded" in actions


def test_repeated_result_changes_nothing(app, db):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    with app.app_context():
        apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.SUCCEEDED),
            actor="system",
            client_address=None,
        )
        db.commit()

        again = apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.SUCCEEDED),
            actor="system",
            client_address=None,
        )
        db.commit()

    assert again is False
    assert refund.receipt_number == "RFD-000001"
    succeeded_rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "refund.succeeded")
    ).all()
    assert len(succeeded_rows) == 1


def test_pending_refund_fails_later(app, db):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)

    with app.app_context():
        succeeded = apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.FAILED, "The bank account is closed."),
            actor="system",
            client_address=None,
        )
        db.commit()

    assert succeeded is False
    assert refund.status is RefundStatus.FAILED
    assert refund.failure_message == "The bank account is closed."
    assert refund.receipt_number is None
    db.expire_all()
    assert db.get(Payment, payment_id).refundable_amount == 5000
