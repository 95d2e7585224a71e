"""Reconciling our records with Stripe after webhooks went missing.

The PaymentIntents created since a date are read from Stripe, each is
compared with its payment here, and so are its refunds. A payment that is
behind moves to Stripe's state with all that follows (receipt, invoice,
emails), and a refund missing here is recorded. A final payment is never
moved: a difference there is reported for a person to look at.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.checkout.payments import apply_intent, notify_payment
from portal.models import Payment, Refund
from portal.money import format_money
from portal.payments.refunds import notify_refund
from portal.processors.stripe.adapter import StripeProcessor
from portal.processors.stripe.intents import to_intent_result
from portal.webhooks.ordering import FINAL_PAYMENT_STATUSES
from portal.webhooks.payment_events import find_payment
from portal.webhooks.refund_events import apply_refund_event

logger = logging.getLogger(__name__)

ACTOR = "reconcile"
# Stripe states in which a PaymentIntent has taken, or may take, the buyer's money.
MONEY_STATES = ("succeeded", "processing", "requires_capture")


@dataclass
class Report:
    intents: int = 0
    refunds: int = 0
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def reconcile(
    session: Session,
    processor: StripeProcessor,
    since: datetime,
    *,
    on_repair: Callable[[str], None] | None = None,
) -> Report:
    """Compare the PaymentIntents since ``since`` and their refunds; repair ours.

    Each repair is committed on its own and passed to ``on_repair`` as it
    happens. Raises ``ProcessorUnavailable`` when Stripe cannot be reached;
    the repairs made until then stay.
    """
    report = Report()

    def repaired(line: str) -> None:
        report.repairs.append(line)
        logger.info("reconcile: %s", line)
        if on_repair is not None:
            on_repair(line)

    for intent in processor.list_intents(since):
        report.intents += 1
        payment = find_payment(session, intent["id"])
        if payment is None:
            session.rollback()
            if intent.get("status") in MONEY_STATES:
                report.problems.append(_orphan(intent))
            continue
        _reconcile_payment(session, payment, intent, repaired, report)
        if payment.processor_ref:
            _reconcile_refunds(session, processor, payment, repaired, report)
    return report


def _reconcile_payment(
    session: Session,
    payment: Payment,
    intent: dict,
    repaired: Callable[[str], None],
    report: Report,
) -> None:
    result = to_intent_result(intent, kind=payment.method.value)
    previous = payment.status
    if result.status is previous:
        session.rollback()
        return
    if previous in FINAL_PAYMENT_STATUSES:
        session.rollback()
        report.problems.append(
            f"Payment {payment.id} ({intent['id']}) is {previous.value} here but "
            f"{intent['status']} in Stripe; check it in Stripe's dashboard."
        )
        return
    with force_locale(payment.locale):
        apply_intent(session, payment, result, actor=ACTOR, client_address=None)
    session.commit()
    notify_payment(payment)
    repaired(
        f"Payment {payment.id} ({intent['id']}): {previous.value} -> "
        f"{payment.status.value}."
    )


def _reconcile_refunds(
    session: Session,
    processor: StripeProcessor,
    payment: Payment,
    repaired: Callable[[str], None],
    report: Report,
) -> None:
    for refund in processor.list_refunds(payment.processor_ref):
        report.refunds += 1
        outcome = apply_refund_event(session, processor, refund)
        session.commit()
        if outcome.name != "applied":
            continue
        for refund_id in outcome.notify_refunds:
            notify_refund(session.get(Refund, refund_id))
        amount = format_money(int(refund["amount"]), str(refund["currency"]).upper())
        repaired(
            f"Refund {refund['id']} ({amount}) of payment {payment.id}: {outcome.note}."
        )


def _orphan(intent: dict) -> str:
    amount = format_money(int(intent["amount"]), str(intent["currency"]).upper())
    return (
        f"PaymentIntent {intent['id']} ({intent['status']}, {amount}) has no "
        "payment here; check it in Stripe's dashboard and refund it if needed."
    )
