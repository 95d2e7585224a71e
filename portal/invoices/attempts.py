"""Whether a checkout is paying an invoice right now."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.locking import lock_row
from portal.models import AttemptState, CheckoutAttempt, Invoice, Payment

# How long an unfinished checkout attempt keeps an invoice from a second one.
# After that it counts as abandoned, as a payment link's slot does.
ATTEMPT_HOLD = timedelta(minutes=30)


def live_attempts(session: Session, invoice_id: int, now: datetime) -> int:
    """Count the checkout attempts that are paying the invoice or have paid it.

    A succeeded or processing attempt counts for good. One in progress or
    waiting for authentication counts for ``ATTEMPT_HOLD`` after it started.
    """
    recent = now - ATTEMPT_HOLD
    return session.scalar(
        select(func.count(CheckoutAttempt.id)).where(
            CheckoutAttempt.invoice_id == invoice_id,
            CheckoutAttempt.state.in_((AttemptState.SUCCEEDED, AttemptState.PROCESSING))
            | (
                CheckoutAttempt.state.in_(
                    (AttemptState.IN_PROGRESS, AttemptState.REQUIRES_ACTION)
                )
                & (CheckoutAttempt.created_at > recent)
            ),
        )
    )


def invoice_paid_by(session: Session, payment: Payment) -> Invoice | None:
    """Return the invoice whose checkout made ``payment``, or None for a link's."""
    return session.scalars(
        select(Invoice)
        .join(CheckoutAttempt, CheckoutAttempt.invoice_id == Invoice.id)
        .where(CheckoutAttempt.payment_id == payment.id)
    ).first()


def lock_invoice(session: Session, invoice: Invoice) -> None:
    """Lock the invoice's row until the commit and reload it.

    Concurrent staff actions and checkout claims on one invoice then run one
    after the other, on PostgreSQL and SQLite alike.
    """
    lock_row(session, Invoice, invoice.id)
    session.refresh(invoice)
