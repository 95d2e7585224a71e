"""Quote instalments that follow their payment when it changes later.

A charge held for authentication and a bank debit that settles days later
change outside the billing run. The checkout's ``apply_intent`` calls
``follow_instalment_payment`` inside its own transaction, so the instalment
moves in the same commit. A payment that succeeds needs nothing here: it
pays the instalment's invoice, and the invoice's status change marks the
instalment paid.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.billing.instalment_charges import fail_instalment
from portal.billing.states import local_date
from portal.businesses import get_business
from portal.database import now_utc
from portal.locking import lock_row
from portal.models import (
    InstalmentStatus,
    Payment,
    PaymentStatus,
    Quote,
    QuoteInstalment,
)
from portal.quotes.evidence import append_event

logger = logging.getLogger(__name__)

# Statuses an instalment leaves when its payment starts processing.
UNSETTLED = (
    InstalmentStatus.PENDING,
    InstalmentStatus.INVOICED,
    InstalmentStatus.FAILED,
    InstalmentStatus.REQUIRES_ACTION,
)


def follow_instalment_payment(
    session: Session, payment: Payment, *, actor: str
) -> None:
    """Move the instalment that ``payment`` charged to match the payment's status.

    A payment that charged no instalment is left alone. A held charge that
    fails stays scheduled for its retry. A bank debit that fails after it
    was processing is retried like any failed charge when the billing run
    made it, and the first instalment, which the buyer pays on the quote
    page, waits to be paid there again.
    """
    instalment = session.scalars(
        select(QuoteInstalment).where(QuoteInstalment.payment_id == payment.id)
    ).first()
    if instalment is None:
        return
    status = payment.status
    if status is PaymentStatus.PROCESSING:
        if instalment.status in UNSETTLED:
            quote = _lock_quote(session, instalment)
            instalment.status = InstalmentStatus.PROCESSING
            instalment.next_attempt_at = None
            _append(session, quote, instalment, "instalment_processing", actor, payment)
        return
    if not payment.failed:
        return
    if instalment.status is InstalmentStatus.REQUIRES_ACTION:
        quote = _lock_quote(session, instalment)
        instalment.status = InstalmentStatus.FAILED
        _append(session, quote, instalment, "instalment_failed", actor, payment)
        return
    if instalment.status is InstalmentStatus.PROCESSING:
        _fail_processing(session, instalment, payment, actor)


def _fail_processing(
    session: Session, instalment: QuoteInstalment, payment: Payment, actor: str
) -> None:
    quote = _lock_quote(session, instalment)
    if instalment.attempts == 0:
        # Paid on the quote page: the buyer pays it there again.
        instalment.status = InstalmentStatus.PENDING
        _append(session, quote, instalment, "instalment_payment_failed", actor, payment)
        return
    business = get_business(session)
    instalment.next_attempt_at = None
    fail_instalment(
        session,
        quote,
        instalment,
        business=business,
        today=local_date(now_utc(), business.timezone),
        reason=payment.failure_message or "",
        actor=actor,
    )


def _lock_quote(session: Session, instalment: QuoteInstalment) -> Quote:
    """Lock the instalment's quote, as every event of its log requires."""
    lock_row(session, Quote, instalment.quote_id)
    return instalment.quote


def _append(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    action: str,
    actor: str,
    payment: Payment,
) -> None:
    details = {"instalment": instalment.position, "payment": payment.id}
    if payment.failure_message:
        details["reason"] = payment.failure_message
    append_event(session, quote, action, actor, details=details)
    logger.info(
        "instalment %s followed payment %s to %s",
        instalment.id,
        payment.id,
        instalment.status.value,
    )
