"""``charge.dispute.*`` events: a buyer's bank disputing a payment."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.models import Dispute, DisputeStatus
from portal.processors.stripe import StripeProcessor
from portal.webhooks.ordering import moves_forward
from portal.webhooks.outcome import Outcome
from portal.webhooks.payment_events import find_payment

logger = logging.getLogger(__name__)

ACTOR = "stripe"
DISPUTE_RANKS = {
    DisputeStatus.WARNING_NEEDS_RESPONSE: 0,
    DisputeStatus.NEEDS_RESPONSE: 0,
    DisputeStatus.WARNING_UNDER_REVIEW: 1,
    DisputeStatus.UNDER_REVIEW: 1,
    DisputeStatus.WARNING_CLOSED: 2,
    DisputeStatus.WON: 2,
    DisputeStatus.LOST: 2,
    DisputeStatus.PREVENTED: 2,
}


def apply_dispute_event(
    session: Session, processor: StripeProcessor, dispute: dict
) -> Outcome:
    """Record a new dispute on its payment, or move a known one forward."""
    try:
        status = DisputeStatus(dispute["status"])
    except ValueError:
        return Outcome("ignored", f"unknown dispute status {dispute['status']!r}")

    row = session.scalars(
        select(Dispute).where(Dispute.processor_ref == dispute["id"]).with_for_update()
    ).first()
    if row is None:
        return _open(session, processor, dispute, status)
    if row.status is status:
        return Outcome("unchanged")
    if not moves_forward(DISPUTE_RANKS, row.status, status):
        return Outcome("stale", f"dispute stays {row.status.value}")

    previous = row.status
    row.status = status
    row.evidence_due_by = _evidence_due_by(dispute)
    if row.closed:
        row.closed_at = row.closed_at or datetime.now(UTC)
    _audit(session, row, "dispute.status_changed", previous)
    logger.info("dispute %s of payment %s is %s", row.id, row.payment_id, status.value)
    return Outcome("applied", f"{previous.value} -> {status.value}")


def _open(
    session: Session, processor: StripeProcessor, dispute: dict, status: DisputeStatus
) -> Outcome:
    intent_id = dispute.get("payment_intent") or _intent_of_charge(processor, dispute)
    payment = find_payment(session, intent_id) if intent_id else None
    if payment is None:
        return Outcome("unknown_object", f"no payment for dispute {dispute['id']}")

    row = Dispute(
        payment=payment,
        processor_ref=dispute["id"],
        amount=int(dispute["amount"]),
        currency=str(dispute["currency"]).upper(),
        reason=str(dispute.get("reason") or "general")[:60],
        status=status,
        evidence_due_by=_evidence_due_by(dispute),
        opened_at=datetime.fromtimestamp(int(dispute["created"]), UTC),
    )
    if row.closed:
        row.closed_at = datetime.now(UTC)
    session.add(row)
    session.flush()
    _audit(session, row, "dispute.opened", None)
    logger.warning(
        "payment %s is disputed (%s): %s", payment.id, row.reason, status.value
    )
    return Outcome("applied", f"dispute opened as {status.value}")


def _intent_of_charge(processor: StripeProcessor, dispute: dict) -> str | None:
    """Find the PaymentIntent through the charge, for events that name only that."""
    charge = dispute.get("charge")
    if isinstance(charge, dict):
        return charge.get("payment_intent")
    if not charge:
        return None
    return processor.intent_of_charge(charge)


def _evidence_due_by(dispute: dict) -> datetime | None:
    details = dispute.get("evidence_details") or {}
    due_by = details.get("due_by")
    if not due_by or details.get("past_due"):
        return None
    return datetime.fromtimestamp(int(due_by), UTC)


def _audit(
    session: Session, dispute: Dispute, action: str, previous: DisputeStatus | None
) -> None:
    audit.record(
        session,
        subject_type="payment",
        subject_id=dispute.payment_id,
        action=action,
        actor=ACTOR,
        from_state=previous.value if previous else None,
        to_state=dispute.status.value,
        details={
            "dispute": dispute.processor_ref,
            "amount": str(dispute.amount),
            "currency": dispute.currency,
            "reason": dispute.reason,
        },
    )
