"""Applying one verified Stripe event, exactly once.

The event's row in ``processor_events`` is inserted first, in the same
transaction as its effects. A second delivery of the same event fails that
insert on the unique event id and changes nothing; concurrent deliveries
wait on the same index until the first commits.
"""

import logging
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import ProcessorEvent
from portal.processors.stripe import StripeProcessor
from portal.webhooks.dispute_events import apply_dispute_event
from portal.webhooks.outcome import Outcome
from portal.webhooks.payment_events import apply_intent_event
from portal.webhooks.payout_events import apply_payout_event
from portal.webhooks.refund_events import apply_charge_refunded, apply_refund_event

logger = logging.getLogger(__name__)

PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
}
REFUND_EVENTS = {
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.refund.updated",
}
DISPUTE_EVENTS = {
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
}
PAYOUT_EVENTS = {
    "payout.created",
    "payout.updated",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
}


def handle_event(session: Session, processor: StripeProcessor, event: dict) -> Outcome:
    """Apply an event and record it; a repeated event id returns "duplicate".

    Commits the session. An exception rolls everything back, the event's row
    included, so that Stripe's next delivery tries again.
    """
    obj = event["data"]["object"]
    row = ProcessorEvent(
        processor="stripe",
        event_id=event["id"],
        event_type=event["type"],
        object_id=obj.get("id") if isinstance(obj.get("id"), str) else None,
        occurred_at=datetime.fromtimestamp(event["created"], UTC),
        outcome="received",
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        logger.info("event %s was received before; ignored", event["id"])
        return Outcome("duplicate")

    outcome = _dispatch(session, processor, event, row.occurred_at)
    row.outcome = outcome.name
    row.note = outcome.note
    session.commit()
    logger.info("event %s (%s): %s", event["id"], event["type"], outcome.name)
    return outcome


def _dispatch(
    session: Session, processor: StripeProcessor, event: dict, occurred_at: datetime
) -> Outcome:
    kind = event["type"]
    obj = event["data"]["object"]
    if bool(event.get("livemode")) != processor.live_mode:
        return Outcome("ignored", "event of the other mode than the configured keys")
    if kind in PAYMENT_INTENT_EVENTS:
        return apply_intent_event(session, obj, occurred_at)
    if kind in REFUND_EVENTS:
        return apply_refund_event(session, processor, obj)
    if kind == "charge.refunded":
        return apply_charge_refunded(session, processor, obj)
    if kind in DISPUTE_EVENTS:
        return apply_dispute_event(session, processor, obj)
    if kind in PAYOUT_EVENTS:
        return apply_payout_event(session, obj)
    return Outcome("ignored", "event type not handled")
