"""Refund events: ``refund.*``, ``charge.refund.updated`` and ``charge.refunded``.

A refund made here is found by its Stripe id. Before the refund service has
recorded Stripe's response, or when that response was lost, the refund has
no Stripe id yet, and the idempotency key that the Stripe adapter puts in the
refund's metadata finds it. The event is applied at once either way: the
refund's row lock orders it with the service's own recording, and the later
of the two changes nothing. A refund made in Stripe's dashboard is recorded
here as well, without a staff member.
"""

import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import audit
from portal.models import Payment, Refund, RefundReason, RefundStatus
from portal.payments.refund_results import apply_refund_result
from portal.processors.stripe import StripeProcessor
from portal.processors.stripe.intents import refund_intent_id, to_refund_result
from portal.webhooks.outcome import Outcome
from portal.webhooks.payment_events import find_payment

logger = logging.getLogger(__name__)

ACTOR = "stripe"
OUTSIDE_NOTE = "Refunded outside Kassa, in Stripe."


def apply_refund_event(
    session: Session, processor: StripeProcessor, refund: dict
) -> Outcome:
    """Move a refund to the state Stripe reports, recording it first if it is new."""
    result = to_refund_result(refund)
    row = find_refund(session, refund)
    added = row is None
    if added:
        intent_id = refund_intent_id(refund) or _intent_of_charge(processor, refund)
        payment = find_payment(session, intent_id) if intent_id else None
        if payment is None:
            return Outcome("unknown_object", f"no payment for refund {refund['id']}")
        row = record_outside_refund(session, payment, refund)

    change = apply_refund_result(session, row, result, actor=ACTOR, client_address=None)
    notify = [row.id] if change.receipt_due else []
    if added:
        return Outcome("applied", f"added as {row.status.value}", notify_refunds=notify)
    if change.moved:
        note = f"{change.previous.value} -> {change.current.value}"
        return Outcome("applied", note, notify_refunds=notify)
    if row.status is result.status:
        return Outcome("unchanged")
    return Outcome("stale", f"refund stays {row.status.value}")


def apply_charge_refunded(
    session: Session, processor: StripeProcessor, charge: dict
) -> Outcome:
    """Apply each refund of a charge that was refunded in part or in full.

    Older API versions list the refunds in the charge. The current one does
    not, so they are fetched from Stripe.
    """
    listed = (charge.get("refunds") or {}).get("data")
    if listed is None:
        intent_id = charge.get("payment_intent")
        listed = processor.list_refunds(intent_id) if intent_id else []
    outcomes = [apply_refund_event(session, processor, refund) for refund in listed]
    applied = [outcome for outcome in outcomes if outcome.name == "applied"]
    if not applied:
        return Outcome("unchanged", f"{len(outcomes)} refunds already recorded")
    return Outcome(
        "applied",
        "; ".join(outcome.note or "" for outcome in applied),
        notify_refunds=[ref for outcome in applied for ref in outcome.notify_refunds],
    )


def find_refund(session: Session, refund: dict) -> Refund | None:
    """Return our row of a Stripe Refund, by its Stripe id or its idempotency key.

    The row is not locked here: ``apply_refund_result`` locks and reloads it.
    """
    row = session.scalars(
        select(Refund).where(Refund.processor_ref == refund["id"])
    ).first()
    if row is not None:
        return row
    key = (refund.get("metadata") or {}).get("kassa_idempotency_key")
    if not key:
        return None
    # The refund service sends its own key with a "refund-" prefix. A row
    # found by key may get its Stripe id from the service meanwhile, so a row
    # that already has this refund's id matches too.
    keys = {key, key.removeprefix("refund-")}
    return session.scalars(
        select(Refund).where(
            Refund.idempotency_key.in_(keys),
            or_(Refund.processor_ref.is_(None), Refund.processor_ref == refund["id"]),
        )
    ).first()


def record_outside_refund(session: Session, payment: Payment, refund: dict) -> Refund:
    """Add a refund that was made in Stripe rather than here, as pending."""
    try:
        reason = RefundReason(refund.get("reason") or "other")
    except ValueError:
        reason = RefundReason.OTHER
    row = Refund(
        payment_id=payment.id,
        amount=int(refund["amount"]),
        currency=str(refund["currency"]).upper(),
        reason=reason,
        note=OUTSIDE_NOTE,
        status=RefundStatus.PENDING,
        idempotency_key=f"stripe-{refund['id']}"[:64],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        subject_type="refund",
        subject_id=row.id,
        action="refund.created",
        actor=ACTOR,
        to_state=RefundStatus.PENDING.value,
        details={
            "payment": str(payment.id),
            "amount": str(row.amount),
            "currency": row.currency,
            "reason": row.reason.value,
            "refund": refund["id"],
        },
    )
    logger.info(
        "recorded refund %s of payment %s made in Stripe", refund["id"], payment.id
    )
    return row


def _intent_of_charge(processor: StripeProcessor, refund: dict) -> str | None:
    charge = refund.get("charge")
    if isinstance(charge, dict):
        return charge.get("payment_intent")
    return processor.intent_of_charge(charge) if charge else None
