"""Whether a processor event may change a record, so that states only move forward.

Events can arrive late, twice or out of order. Each kind of record ranks its
states along its lifecycle, and a record moves only to a higher rank. For a
payment the event's time counts as well, because a payment can fail and
then be retried, and a failed state outranks the attempt that follows it.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Payment, PaymentStatus, ProcessorEvent

# The lifecycle of one attempt to pay. Succeeded and canceled are final.
PAYMENT_RANKS = {
    PaymentStatus.REQUIRES_ACTION: 1,
    PaymentStatus.PROCESSING: 2,
    PaymentStatus.REQUIRES_PAYMENT_METHOD: 3,
    PaymentStatus.SUCCEEDED: 4,
    PaymentStatus.CANCELED: 4,
}
FINAL_PAYMENT_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED)
# Events this close to the payment's last change are ordered by rank alone.
# Stripe stamps events in whole seconds, and its clock and ours differ a
# little; 5 seconds is an estimate of both together.
CLOCK_TOLERANCE = timedelta(seconds=5)

PAYMENT_AUDIT_ACTIONS = ("payment.created", "payment.status_changed")


def payment_may_move(
    session: Session, payment: Payment, status: PaymentStatus, occurred_at: datetime
) -> bool:
    """Tell whether an event from ``occurred_at`` may move ``payment`` to ``status``.

    A final payment never moves, so a succeeded payment never returns to
    processing. Otherwise an event clearly older than the payment's last
    change is stale, one clearly newer applies, and one from about the same
    time applies only when it moves forward in ``PAYMENT_RANKS``.
    """
    if payment.status is status or payment.status in FINAL_PAYMENT_STATUSES:
        return False
    changed_at = last_payment_change(session, payment)
    if changed_at is None or occurred_at > changed_at + CLOCK_TOLERANCE:
        return True
    if occurred_at < changed_at - CLOCK_TOLERANCE:
        return False
    return PAYMENT_RANKS[status] > PAYMENT_RANKS[payment.status]


def last_payment_change(session: Session, payment: Payment) -> datetime | None:
    """Return when the payment's status last changed.

    That is the later of its last status change here, from its audit rows,
    and the time of the last event applied to it, by Stripe's clock.
    """
    changed = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.subject_type == "payment",
            AuditEvent.subject_id == payment.id,
            AuditEvent.action.in_(PAYMENT_AUDIT_ACTIONS),
        )
    )
    applied = session.scalar(
        select(func.max(ProcessorEvent.occurred_at)).where(
            ProcessorEvent.object_id == payment.processor_ref,
            ProcessorEvent.outcome == "applied",
        )
    )
    return max((time for time in (changed, applied) if time is not None), default=None)


def moves_forward(ranks: dict, current: object, new: object) -> bool:
    """Tell whether ``new`` is further along than ``current`` in ``ranks``."""
    return ranks[new] > ranks[current]
