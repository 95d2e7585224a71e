"""``payment_intent.*`` events: a payment's state as Stripe reports it."""

import logging
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.checkout.payments import apply_intent
from portal.models import AttemptState, CheckoutAttempt, Payment
from portal.processors.stripe.intents import to_intent_result
from portal.webhooks.ordering import payment_may_move
from portal.webhooks.outcome import Outcome, RetryLater

logger = logging.getLogger(__name__)

ACTOR = "stripe"
# The checkout's idempotency keys are its attempt keys with this prefix.
CHECKOUT_KEY_PREFIX = "checkout-"


def apply_intent_event(
    session: Session, intent: dict, occurred_at: datetime
) -> Outcome:
    """Move the payment of a PaymentIntent to the state the event carries."""
    payment = find_payment(session, intent["id"])
    if payment is None:
        if _checkout_still_running(session, intent):
            raise RetryLater(f"the checkout of {intent['id']} is still recording it")
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


def _checkout_still_running(session: Session, intent: dict) -> bool:
    """Tell whether the checkout that created the intent has not recorded it yet.

    The event can arrive before the checkout's own transaction commits; it
    is delivered again later rather than dropped.
    """
    key = (intent.get("metadata") or {}).get("kassa_idempotency_key") or ""
    if not key.startswith(CHECKOUT_KEY_PREFIX):
        return False
    state = session.scalar(
        select(CheckoutAttempt.state).where(
            CheckoutAttempt.key == key.removeprefix(CHECKOUT_KEY_PREFIX)
        )
    )
    return state is AttemptState.IN_PROGRESS


def find_payment(session: Session, intent_id: str) -> Payment | None:
    """Return the payment of a PaymentIntent, locked until the transaction ends."""
    return session.scalars(
        select(Payment).where(Payment.processor_ref == intent_id).with_for_update()
    ).first()
