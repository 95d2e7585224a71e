"""Recording what a processor reports about a refund, once and only forward.

The refund service, Stripe's webhooks and ``flask stripe reconcile`` can
report the same refund at the same moment. Each applies its report under the
refund's row lock and reloads the row after taking it, so the later of two
reports reads what the earlier one committed. A repeated report changes
nothing and writes no second audit row, and only the report that made the
refund succeed requests the receipt email.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.database import now_utc
from portal.locking import lock_row
from portal.models import Refund, RefundStatus
from portal.processors.base import RefundResult
from portal.sequences import next_number

logger = logging.getLogger(__name__)

FAILED_WITHOUT_MESSAGE = (
    "The processor did not refund the payment. Nothing was refunded."
)
# The states a refund may move to from each state. Failed and canceled are
# final. Stripe reports a succeeded refund as failed when the buyer's bank
# sends the money back, such as for a closed card account.
NEXT_STATES = {
    RefundStatus.PENDING: frozenset(
        {RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.CANCELED}
    ),
    RefundStatus.SUCCEEDED: frozenset({RefundStatus.FAILED}),
    RefundStatus.FAILED: frozenset(),
    RefundStatus.CANCELED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class RefundChange:
    """A refund's status before and after one report, read under its row lock."""

    previous: RefundStatus
    current: RefundStatus

    @property
    def moved(self) -> bool:
        return self.current is not self.previous

    @property
    def receipt_due(self) -> bool:
        """True when this report made the refund succeed.

        The caller then emails the buyer the refund receipt once its
        transaction has committed, so that the receipt goes out once.
        """
        return self.moved and self.current is RefundStatus.SUCCEEDED


def apply_refund_result(
    session: Session,
    refund: Refund,
    result: RefundResult,
    *,
    actor: str,
    client_address: str | None,
) -> RefundChange:
    """Move a refund to the state its processor reports, with an audit row.

    Locks the refund's row until the caller's transaction ends and reloads
    it first. The refund moves only as ``may_move`` allows, so a repeated or
    late report changes nothing but a missing processor id. A report about
    another processor refund than the one recorded changes nothing at all.
    A refund that succeeds takes the next refund receipt number, and its
    payment gets an audit row for moving to partially refunded or refunded.
    """
    lock_refund(session, refund)
    previous = refund.status
    if refund.processor_ref not in (None, result.id):
        logger.warning(
            "refund %s is %s at the processor, so a report about %s was ignored",
            refund.id,
            refund.processor_ref,
            result.id,
        )
        return RefundChange(previous, previous)

    allowed = may_move(refund, result.status)
    refund.processor_ref = result.id
    if not allowed:
        return RefundChange(previous, previous)
    failure_message = None
    if result.status in (RefundStatus.FAILED, RefundStatus.CANCELED):
        failure_message = result.failure_message or FAILED_WITHOUT_MESSAGE
    _move(session, refund, result.status, failure_message, actor, client_address)
    return RefundChange(previous, refund.status)


def record_refund_failure(
    session: Session,
    refund: Refund,
    message: str,
    *,
    actor: str,
    client_address: str | None,
) -> RefundChange:
    """Mark a refund failed because its processor call failed.

    Locks and reloads the refund like ``apply_refund_result``, and moves only
    a pending refund. A refund that a webhook already moved on keeps its
    state, because the call may have reached the processor before its
    response was lost. Does not commit.
    """
    lock_refund(session, refund)
    previous = refund.status
    if previous is not RefundStatus.PENDING:
        return RefundChange(previous, previous)
    _move(session, refund, RefundStatus.FAILED, message, actor, client_address)
    return RefundChange(previous, RefundStatus.FAILED)


def may_move(refund: Refund, status: RefundStatus) -> bool:
    """Tell whether ``refund`` may move to ``status``, following ``NEXT_STATES``.

    A failed refund without a processor id failed here, when its processor
    call raised, rather than at the processor. It may still take any state
    the processor reports, because the refund may have been made at the
    processor and only its response lost.
    """
    if status is refund.status:
        return False
    if refund.status is RefundStatus.FAILED and refund.processor_ref is None:
        return True
    return status in NEXT_STATES[refund.status]


def lock_refund(session: Session, refund: Refund) -> None:
    """Lock a refund's row for the rest of the transaction and reload it."""
    lock_row(session, Refund, refund.id)
    session.refresh(refund)


def _move(
    session: Session,
    refund: Refund,
    status: RefundStatus,
    failure_message: str | None,
    actor: str,
    client_address: str | None,
) -> None:
    previous = refund.status
    refund.status = status
    refund.failure_message = failure_message
    audit.record(
        session,
        subject_type="refund",
        subject_id=refund.id,
        action=f"refund.{status.value}",
        actor=actor,
        from_state=previous.value,
        to_state=status.value,
        client_address=client_address,
        details={"payment": str(refund.payment_id), "amount": str(refund.amount)},
    )
    logger.info(
        "refund %s moved from %s to %s", refund.id, previous.value, status.value
    )
    if status is not RefundStatus.SUCCEEDED:
        return

    refund.refunded_at = now_utc()
    refund.receipt_number = refund.receipt_number or next_number(session, "refund")
    session.flush()
    _record_payment_refunded(session, refund, actor, client_address)


def _record_payment_refunded(
    session: Session, refund: Refund, actor: str, client_address: str | None
) -> None:
    """Write the payment's audit row for a refund that succeeded."""
    payment = refund.payment
    refunded = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment.id,
            Refund.status == RefundStatus.SUCCEEDED,
        )
    )
    before = refunded - refund.amount
    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.refunded",
        actor=actor,
        from_state="partially_refunded" if before else payment.status.value,
        to_state="refunded" if refunded >= payment.amount else "partially_refunded",
        client_address=client_address,
        details={
            "refund": str(refund.id),
            "amount": str(refund.amount),
            "refunded": str(refunded),
        },
    )
