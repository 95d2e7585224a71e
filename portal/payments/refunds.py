"""Refunding a payment, in full or in part, on behalf of a staff member.

A refund runs in two transactions so that no database lock is held while the
processor is called. The first locks the payment row, checks the amount
against what is left to refund, and writes the refund as pending; from then
on its amount counts against the payment, so a concurrent refund counts it.
The second records what the processor returned, under the refund's row lock
(see ``portal.payments.refund_results``), because a Stripe webhook about the
same refund can arrive while it runs. The refund receipt is emailed to the
buyer after the commit, by whichever of the two made the refund succeed.
"""

import logging
import re
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.locking import lock_row
from portal.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
)
from portal.models.refunds import COUNTED_REFUND_STATUSES
from portal.money import format_money
from portal.payments.errors import (
    PaymentActionError,
    PaymentNotFound,
    RefundRejected,
)
from portal.payments.refund_results import apply_refund_result, record_refund_failure
from portal.processors.base import PaymentError, Processor, RefundResult

logger = logging.getLogger(__name__)

# Random keys that the refund form carries, such as secrets.token_urlsafe(24).
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
NOTE_MAX_LENGTH = 500
# How long a repeated submit waits for the first one's processor call, in seconds.
WAIT_FOR_FIRST_SUBMIT = 30.0
# Reasons passed on to the processor. Stripe has no "other" reason, so it gets None.
PROCESSOR_REASONS = {
    RefundReason.DUPLICATE: "duplicate",
    RefundReason.FRAUDULENT: "fraudulent",
    RefundReason.REQUESTED_BY_CUSTOMER: "requested_by_customer",
    RefundReason.OTHER: None,
}


@dataclass(frozen=True, slots=True)
class RefundInput:
    payment_id: int
    amount: int  # minor units of the payment's currency
    reason: RefundReason
    note: str | None
    idempotency_key: str


def refund_payment(
    session: Session,
    processor: Processor,
    request: RefundInput,
    *,
    actor: str,
    staff_id: int | None,
    client_address: str | None,
) -> Refund:
    """Refund part or all of a succeeded payment and return the refund.

    Raises ``RefundRejected``, which carries the refundable remainder, for an
    amount that is not positive or is above what is left. Raises
    ``PaymentActionError`` for other invalid input. Nothing is saved then.

    A processor that rejects the refund leaves a failed refund row with its
    message and changes nothing else. A repeated submit with the same
    idempotency key returns the first refund without calling the processor
    again. Commits the session.
    """
    _check_input(request)
    refund, created = _reserve(
        session,
        request,
        processor_name=processor.name,
        actor=actor,
        staff_id=staff_id,
        client_address=client_address,
    )
    if not created:
        return refund
    return _call_processor(
        session, processor, refund, actor=actor, client_address=client_address
    )


def refunded_total(session: Session, payment_id: int) -> int:
    """Sum the pending and succeeded refunds of a payment, in minor units."""
    # PostgreSQL sums a bigint column as numeric, which the driver returns as
    # a Decimal.
    total = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment_id,
            Refund.status.in_(COUNTED_REFUND_STATUSES),
        )
    )
    return int(total)


def record_refund_result(
    session: Session,
    refund: Refund,
    result: RefundResult,
    *,
    actor: str,
    client_address: str | None,
) -> Refund:
    """Record the processor's result of a refund call, commit, then email.

    The buyer gets the refund receipt only when this result made the refund
    succeed. When a webhook recorded the same outcome first, nothing changes
    and nothing is sent.
    """
    change = apply_refund_result(
        session, refund, result, actor=actor, client_address=client_address
    )
    session.commit()
    if change.receipt_due:
        notify_refund(refund)
    return refund


def _check_input(request: RefundInput) -> None:
    if not IDEMPOTENCY_KEY.fullmatch(request.idempotency_key or ""):
        raise PaymentActionError(
            "The refund form is missing its key. Reload the page and submit again."
        )
    if request.note is not None and len(request.note) > NOTE_MAX_LENGTH:
        raise PaymentActionError(
            f"The note is {len(request.note)} characters long. "
            f"Shorten it to at most {NOTE_MAX_LENGTH}.",
            field="note",
        )


def _reserve(
    session: Session,
    request: RefundInput,
    *,
    processor_name: str,
    actor: str,
    staff_id: int | None,
    client_address: str | None,
) -> tuple[Refund, bool]:
    """Write the refund as pending under the payment's row lock and commit.

    Returns the refund and True, or the refund already made with this key and
    False, once that refund's processor call has finished.
    """
    if not lock_row(session, Payment, request.payment_id):
        session.rollback()
        raise PaymentNotFound(f"Payment {request.payment_id} not found.")
    existing = _find_by_key(session, request.idempotency_key)
    if existing is not None:
        session.commit()
        return _wait_for_processor(session, existing), False

    payment = session.get(Payment, request.payment_id, populate_existing=True)
    try:
        _check_refundable(session, payment, request.amount, processor_name)
    except PaymentActionError:
        session.rollback()
        raise
    refund = Refund(
        payment_id=payment.id,
        amount=request.amount,
        currency=payment.currency,
        reason=request.reason,
        note=request.note or None,
        status=RefundStatus.PENDING,
        idempotency_key=request.idempotency_key,
        staff_id=staff_id,
    )
    session.add(refund)
    session.flush()
    audit.record(
        session,
        subject_type="refund",
        subject_id=refund.id,
        action="refund.created",
        actor=actor,
        to_state=RefundStatus.PENDING.value,
        client_address=client_address,
        details={
            "payment": str(payment.id),
            "amount": str(refund.amount),
            "currency": refund.currency,
            "reason": refund.reason.value,
        },
    )
    session.commit()
    logger.info("refund %s of payment %s reserved", refund.id, payment.id)
    return refund, True


def _check_refundable(
    session: Session, payment: Payment, amount: int, processor_name: str
) -> None:
    """Raise unless ``amount`` fits in what is left to refund of the payment."""
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise RefundRejected(
            f"Payment {payment.id} is {payment.status.value}, and only succeeded "
            "payments can be refunded.",
            refundable=0,
            field=None,
        )
    if not payment.processor_ref:
        raise RefundRejected(
            f"Payment {payment.id} charged nothing, so there is nothing to refund.",
            refundable=0,
            field=None,
        )
    if payment.processor != processor_name:
        raise RefundRejected(
            f"Payment {payment.id} was made through the {payment.processor!r} "
            f"processor, but {processor_name!r} is configured. Refund it in that "
            "processor's dashboard.",
            refundable=0,
            field=None,
        )
    refundable = payment.amount - refunded_total(session, payment.id)
    left = format_money(max(refundable, 0), payment.currency)
    if refundable <= 0:
        raise RefundRejected(
            f"Payment {payment.id} has already been refunded in full.",
            refundable=0,
            field=None,
        )
    if amount <= 0:
        raise RefundRejected(
            f"Enter a refund amount above zero, at most {left}.",
            refundable=refundable,
        )
    if amount > refundable:
        requested = format_money(amount, payment.currency)
        raise RefundRejected(
            f"A refund of {requested} is more than the {left} left to refund. "
            f"Enter at most {left}.",
            refundable=refundable,
        )


def _find_by_key(session: Session, key: str) -> Refund | None:
    return session.scalars(select(Refund).where(Refund.idempotency_key == key)).first()


def _wait_for_processor(session: Session, refund: Refund) -> Refund:
    """Return a refund once the submit that created it has its processor's reply.

    A refund still pending without a processor id is in the middle of its
    first submit's processor call, so a repeated submit polls until it ends.
    """
    deadline = time.monotonic() + WAIT_FOR_FIRST_SUBMIT
    while _in_flight(refund) and time.monotonic() < deadline:
        time.sleep(0.1)
        session.refresh(refund)
        session.commit()
    if _in_flight(refund):
        # NOTE: a worker that died during the processor call leaves its refund
        # pending, holding its amount, until someone retries it with its key.
        logger.warning("refund %s is still waiting for the processor", refund.id)
    return refund


def _in_flight(refund: Refund) -> bool:
    return refund.status is RefundStatus.PENDING and refund.processor_ref is None


def _call_processor(
    session: Session,
    processor: Processor,
    refund: Refund,
    *,
    actor: str,
    client_address: str | None,
) -> Refund:
    payment = refund.payment
    try:
        result = processor.refund(
            payment.processor_ref,
            amount=refund.amount,
            idempotency_key=f"refund-{refund.idempotency_key}",
            reason=PROCESSOR_REASONS[refund.reason],
        )
    except PaymentError as error:
        logger.info("processor rejected refund %s: %s", refund.id, error.code)
        _record_failure(session, refund, error.message, actor, client_address)
        return refund
    except Exception:
        logger.exception("refund %s failed at the processor", refund.id)
        _record_failure(
            session,
            refund,
            "The refund could not be completed because the processor call failed. "
            "Check the processor's dashboard before you refund again.",
            actor,
            client_address,
        )
        raise

    return record_refund_result(
        session, refund, result, actor=actor, client_address=client_address
    )


def _record_failure(
    session: Session,
    refund: Refund,
    message: str,
    actor: str,
    client_address: str | None,
) -> None:
    session.rollback()
    record_refund_failure(
        session, refund, message, actor=actor, client_address=client_address
    )
    session.commit()


def notify_refund(refund: Refund) -> None:
    """Email the buyer the receipt of a refund that succeeded.

    A failure to send is logged and never undoes the refund.
    """
    from portal.notifications.refunds import send_refund_receipt

    try:
        send_refund_receipt(refund)
    except Exception:
        logger.exception("sending the receipt of refund %s failed", refund.id)
