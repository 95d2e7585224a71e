"""``payment_intent.*`` events: a payment's state as Stripe reports it."""

import logging
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.checkout.payments import apply_intent
from portal.models import Payment
from portal.processors.stripe.intents import to_intent_result
from portal.webhooks.ordering import payment_may_move
from portal.webhooks.outcome import Outcome

logger = logging.getLogger(__name__)

ACTOR = "stripe"


def apply_intent_event(
    session: Session, intent: dict, occurred_at: datetime
) -> Outcome:
    """Move the payment of a PaymentIntent to the state the event carries."""
    payment = find_payment(session, intent["id"])
    if payment is None:
        return Outcome("unknown_object", f"no payment for {intent['id']}")

    result = to_intent_result(intent, kind=payment.method.value)
    if payment.status is result.status:
        return Outcome("unchanged")
    if not payment_may_move(session, payment, result.status, occurred_at):
        logger.info(
            "kept payment %s at %s; the event's %s is older",
            payment.id,
            payment.status.value,
            result.status.value,
        )
        return Outcome("stale", f"payment stays {payment.status.value}")

    previous = payment.status
    with force_locale(payment.locale):
        apply_intent(session, payment, result, actor=ACTOR, client_address=None)
    return Outcome(
        "applied",
        f"{previous.value} -> {payment.status.value}",
        notify_payments=[payment.id],
    )


def find_payment(session: Session, intent_id: str) -> Payment | None:
    """Return the payment of a PaymentIntent, locked until the transaction ends."""
    return session.scalars(
        select(Payment).where(Payment.processor_ref == intent_id).with_for_update()
    ).first()
