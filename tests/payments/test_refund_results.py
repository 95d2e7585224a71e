"""Refund states reported later by the processor, as a webhook delivers them."""

import secrets

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Payment, Refund, RefundReason, RefundStatus
from portal.payments.refund_results import apply_refund_result, record_refund_failure
from portal.processors.base import RefundResult
from tests.payments.builders import paid_payment


def pending_refund(db, payment_id: int, amount: int, **fields) -> Refund:
    """Add a refund the processor accepted as pending, as a bank refund would be.

    ``processor_ref=None`` gives a refund whose processor call has not returned.
    """
    fields.setdefault("processor_ref", f"re_{secrets.token_hex(8)}")
    refund = Refund(
        payment_id=payment_id,
        amount=amount,
        currency="EUR",
        reason=RefundReason.REQUESTED_BY_CUSTOMER,
        status=RefundStatus.PENDING,
        **fields,
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
        change = apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.SUCCEEDED),
            actor="system",
            client_address=None,
        )
        db.commit()

    assert change.receipt_due is True
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

    assert again.moved is False
    assert again.receipt_due is False
    assert refund.receipt_number == "RFD-000001"
    succeeded_rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "refund.succeeded")
    ).all()
    assert len(succeeded_rows) == 1


def test_pending_refund_fails_later(app, db):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)

    with app.app_context():
        change = apply_refund_result(
            db,
            refund,
            result(refund, RefundStatus.FAILED, "The bank account is closed."),
            actor="system",
            client_address=None,
        )
        db.commit()

    assert change.receipt_due is False
    assert refund.status is RefundStatus.FAILED
    assert refund.failure_message == "The bank account is closed."
    assert refund.receipt_number is None
    db.expire_all()
    assert db.get(Payment, payment_id).refundable_amount == 5000


def refund_audit_actions(db, refund: Refund) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.subject_type == "refund", AuditEvent.subject_id == refund.id
            )
            .order_by(AuditEvent.id)
        )
    )


def apply(app, db, refund: Refund, status: RefundStatus, message=None):
    with app.app_context():
        change = apply_refund_result(
            db,
            refund,
            result(refund, status, message),
            actor="stripe",
            client_address=None,
        )
        db.commit()
    return change


@pytest.mark.parametrize(
    ("final", "late"),
    [
        (RefundStatus.SUCCEEDED, RefundStatus.PENDING),
        (RefundStatus.FAILED, RefundStatus.SUCCEEDED),
        (RefundStatus.FAILED, RefundStatus.PENDING),
        (RefundStatus.FAILED, RefundStatus.CANCELED),
        (RefundStatus.CANCELED, RefundStatus.SUCCEEDED),
        (RefundStatus.CANCELED, RefundStatus.FAILED),
    ],
)
def test_late_result_never_moves_back(app, db, final, late):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    apply(app, db, refund, final, "The card was closed.")
    actions_before = refund_audit_actions(db, refund)

    change = apply(app, db, refund, late)

    assert change.moved is False
    assert change.receipt_due is False
    db.expire_all()
    assert db.get(Refund, refund.id).status is final
    assert refund_audit_actions(db, refund) == actions_before


def test_failure_after_success_is_applied(app, db):
    """Stripe fails a succeeded refund when the buyer's bank sends it back."""
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    apply(app, db, refund, RefundStatus.SUCCEEDED)

    change = apply(app, db, refund, RefundStatus.FAILED, "The account is closed.")

    assert change.moved is True
    assert change.receipt_due is False
    db.expire_all()
    stored = db.get(Refund, refund.id)
    assert stored.status is RefundStatus.FAILED
    assert stored.failure_message == "The account is closed."
    assert stored.receipt_number == "RFD-000001"
    assert db.get(Payment, payment_id).refundable_amount == 5000
    assert refund_audit_actions(db, refund) == ["refund.succeeded", "refund.failed"]


def test_stale_copy_reloads_under_lock(app, db):
    """A session holding the refund as pending reloads it under the lock."""
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    with app.extensions["kassa.sessionmaker"]() as other:
        apply(app, other, other.get(Refund, refund.id), RefundStatus.SUCCEEDED)
    assert refund.status is RefundStatus.PENDING

    change = apply(app, db, refund, RefundStatus.SUCCEEDED)

    assert change.previous is RefundStatus.SUCCEEDED
    assert change.moved is False
    assert change.receipt_due is False
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.receipt_number == "RFD-000001"
    assert refund_audit_actions(db, refund) == ["refund.succeeded"]
    payment_rows = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "payment.refunded")
    ).all()
    assert len(payment_rows) == 1


def test_result_of_other_processor_refund_is_ignored(app, db):
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    other = RefundResult(
        id="re_someotherrefund",
        status=RefundStatus.SUCCEEDED,
        amount=2000,
        currency="EUR",
    )

    with app.app_context():
        change = apply_refund_result(
            db, refund, other, actor="stripe", client_address=None
        )
        db.commit()

    assert change.moved is False
    db.expire_all()
    stored = db.get(Refund, refund.id)
    assert stored.status is RefundStatus.PENDING
    assert stored.processor_ref != "re_someotherrefund"
    assert refund_audit_actions(db, refund) == []


def test_call_failure_keeps_result_recorded_first(app, db):
    """A failed call does not undo the success a webhook recorded meanwhile."""
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000)
    with app.extensions["kassa.sessionmaker"]() as other:
        apply(app, other, other.get(Refund, refund.id), RefundStatus.SUCCEEDED)

    with app.app_context():
        change = record_refund_failure(
            db,
            refund,
            "The processor call failed.",
            actor="staff:1",
            client_address=None,
        )
        db.commit()

    assert change.moved is False
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.failure_message is None
    assert refund_audit_actions(db, refund) == ["refund.succeeded"]


def test_processor_result_replaces_call_failure(app, db):
    """A refund marked failed because its call failed takes the later result."""
    payment_id = paid_payment(app, amount=5000)
    refund = pending_refund(db, payment_id, 2000, processor_ref=None)
    with app.app_context():
        record_refund_failure(
            db,
            refund,
            "The processor call failed.",
            actor="staff:1",
            client_address=None,
        )
        db.commit()
    succeeded = RefundResult(
        id="re_madebeforethefailure",
        status=RefundStatus.SUCCEEDED,
        amount=2000,
        currency="EUR",
    )

    with app.app_context():
        change = apply_refund_result(
            db, refund, succeeded, actor="stripe", client_address=None
        )
        db.commit()

    assert change.previous is RefundStatus.FAILED
    assert change.receipt_due is True
    db.expire_all()
    stored = db.get(Refund, refund.id)
    assert stored.status is RefundStatus.SUCCEEDED
    assert stored.processor_ref == "re_madebeforethefailure"
    assert stored.failure_message is None
    assert stored.receipt_number == "RFD-000001"
    assert refund_audit_actions(db, refund) == ["refund.failed", "refund.succeeded"]
