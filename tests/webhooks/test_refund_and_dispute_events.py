"""Refund and dispute events: recorded on the payment, once, moving forward only."""

import time

from sqlalchemy import select

from portal.models import (
    AuditEvent,
    Dispute,
    DisputeStatus,
    Refund,
    RefundReason,
    RefundStatus,
)
from portal.payments.refunds import RefundInput, refund_payment
from tests.webhooks.builders import stripe_payment
from tests.webhooks.events import make_event, post_event


def refunds(db) -> list[Refund]:
    db.expire_all()
    return list(db.scalars(select(Refund).order_by(Refund.id)))


def staff_refund(app, payment, amount: int) -> Refund:
    with app.app_context(), app.extensions["kassa.sessionmaker"]() as session:
        return refund_payment(
            session,
            app.extensions["kassa.processor"],
            RefundInput(
                payment_id=payment.id,
                amount=amount,
                reason=RefundReason.REQUESTED_BY_CUSTOMER,
                note=None,
                idempotency_key="refund-form-key-0001",
            ),
            actor="staff:1",
            staff_id=None,
            client_address="203.0.113.9",
        )


def refund_object(refund_id: str, payment, amount: int, status: str, **fields) -> dict:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": payment.currency.lower(),
        "payment_intent": payment.processor_ref,
        "charge": "ch_current",
        "reason": None,
        "status": status,
        "metadata": {},
        **fields,
    }


def dispute_object(payment, status: str, **fields) -> dict:
    return {
        "id": "dp_kassa1",
        "object": "dispute",
        "amount": payment.amount,
        "currency": payment.currency.lower(),
        "charge": "ch_current",
        "payment_intent": payment.processor_ref,
        "reason": "fraudulent",
        "status": status,
        "created": int(time.time()),
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "past_due": False},
        **fields,
    }


def test_staff_refund_goes_through_stripe(app, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)

    staff_refund(app, payment, 2000)

    [refund] = refunds(db)
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.processor_ref.startswith("re_")
    [sent] = localstripe.requests("/v1/refunds")
    assert sent["params"]["payment_intent"] == payment.processor_ref
    assert sent["params"]["amount"] == "2000"
    assert sent["params"]["reason"] == "requested_by_customer"


def test_refund_failing_later_is_recorded(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    staff_refund(app, payment, 5000)
    [refund] = refunds(db)

    response = post_event(
        client,
        make_event(
            "refund.failed",
            refund_object(
                refund.processor_ref,
                payment,
                5000,
                "failed",
                failure_reason="expired_or_canceled_card",
            ),
        ),
    )

    assert response.get_json()["outcome"] == "applied"
    [refund] = refunds(db)
    assert refund.status is RefundStatus.FAILED
    assert "expired or was canceled" in refund.failure_message


def test_refund_made_in_stripe_is_recorded(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    made = localstripe.call(
        "POST", "/v1/refunds", {"payment_intent": payment.processor_ref, "amount": 1500}
    )
    charge = {
        "id": "ch_current",
        "object": "charge",
        "amount": 5000,
        "amount_refunded": 1500,
        "currency": "eur",
        "payment_intent": payment.processor_ref,
        "refunded": False,
    }

    response = post_event(client, make_event("charge.refunded", charge))

    assert response.get_json()["outcome"] == "applied"
    [refund] = refunds(db)
    assert refund.processor_ref == made["id"]
    assert refund.amount == 1500
    assert refund.status is RefundStatus.SUCCEEDED
    assert refund.staff_id is None
    assert refund.note == "Refunded outside Kassa, in Stripe."
    assert refund.receipt_number == "RFD-000001"


def test_repeated_refund_event_adds_nothing(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    event = make_event(
        "refund.created", refund_object("re_dashboard", payment, 1000, "succeeded")
    )

    post_event(client, event)
    again = post_event(client, make_event("refund.updated", event["data"]["object"]))

    assert again.get_json()["outcome"] == "unchanged"
    assert len(refunds(db)) == 1


def test_dispute_opened_and_won(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)

    post_event(
        client,
        make_event("charge.dispute.created", dispute_object(payment, "needs_response")),
    )
    post_event(
        client, make_event("charge.dispute.closed", dispute_object(payment, "won"))
    )

    db.expire_all()
    [dispute] = db.scalars(select(Dispute)).all()
    assert dispute.payment_id == payment.id
    assert dispute.status is DisputeStatus.WON
    assert dispute.closed_at is not None
    assert dispute.reason == "fraudulent"
    actions = db.scalars(
        select(AuditEvent.action)
        .where(
            AuditEvent.subject_type == "payment", AuditEvent.subject_id == payment.id
        )
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["dispute.opened", "dispute.status_changed"]


def test_late_dispute_update_keeps_outcome(app, client, db, localstripe):
    payment = stripe_payment(app, localstripe, amount=5000)
    post_event(
        client, make_event("charge.dispute.closed", dispute_object(payment, "lost"))
    )

    late = post_event(
        client,
        make_event("charge.dispute.updated", dispute_object(payment, "under_review")),
    )

    assert late.get_json()["outcome"] == "stale"
    db.expire_all()
    assert db.scalars(select(Dispute.status)).one() is DisputeStatus.LOST
