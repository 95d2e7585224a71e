"""Charging a quote instalment to the quote's saved payment method.

As with subscription periods, a charge is made in two parts.
``charge_instalment`` talks to the processor and writes nothing, and
``record_instalment_charge`` then writes the outcome. SQLite lets one
connection write at a time, and the test-mode processor writes its intents
through its own connection, so no write may come before the processor call
in the same transaction.

The payment is recorded with a checkout attempt on the instalment's invoice,
keyed by the charge's idempotency key. Through that attempt the checkout's
own code marks the invoice paid when the payment succeeds, now or after the
customer authenticates it or a bank debit settles. The invoice page also
counts the attempt as a payment in progress, so the buyer is not offered a
second payment meanwhile.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal import audit
from portal.billing.collection import chargeable_method
from portal.billing.follow import send_after_commit
from portal.billing.retries import next_retry_on, retry_days
from portal.billing.states import SYSTEM, local_date, start_of_day
from portal.checkout.charges import copy_order
from portal.checkout.messages import payment_error_message
from portal.checkout.payments import ATTEMPT_STATE_OF, complete_payment
from portal.database import now_utc
from portal.models import (
    AttemptState,
    Business,
    CheckoutAttempt,
    InstalmentStatus,
    Invoice,
    Payment,
    PaymentStatus,
    Quote,
    QuoteInstalment,
    SavedPaymentMethod,
)
from portal.notifications.instalments import (
    FailedInstalment,
    build_buyer_message,
    build_staff_message,
)
from portal.notifications.suppression import email_suppressed
from portal.payments.intent_fields import method_fields
from portal.processors.base import (
    IntentResult,
    PaymentError,
    Processor,
    ProcessorUnavailable,
)
from portal.quotes.documents import quote_locale
from portal.quotes.evidence import append_event

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InstalmentCharge:
    """The processor's result of one charge, not yet recorded."""

    processor: str
    key: str  # the idempotency key, also the checkout attempt's key
    attempt: int  # 1 for the first charge of the instalment
    intent: IntentResult | None = None  # None when the processor rejected the call
    error_code: str | None = None
    error_message: str | None = None


def idempotency_key(quote: Quote, instalment: QuoteInstalment, attempt: int) -> str:
    """Return the processor key of a charge, the same whenever it is repeated.

    A run that charged but stopped before its commit repeats the same key,
    and the processor returns the first result instead of charging again.
    """
    return f"quote-{quote.id}-instalment-{instalment.position}-attempt-{attempt}"


def usable_method(quote: Quote, processor: Processor) -> SavedPaymentMethod | None:
    """Return the quote's saved payment method if this processor can charge it."""
    return chargeable_method(quote.saved_method, processor)


def charge_instalment(
    processor: Processor,
    quote: Quote,
    instalment: QuoteInstalment,
    invoice: Invoice,
    method: SavedPaymentMethod,
) -> InstalmentCharge:
    """Charge the instalment's amount to ``method`` while the customer is away.

    Raises ``ProcessorUnavailable`` when the processor cannot be reached.
    The caller then records nothing, so that the next run tries again with
    the same idempotency key.
    """
    attempt = instalment.attempts + 1
    key = idempotency_key(quote, instalment, attempt)
    try:
        intent = processor.charge_saved_method(
            customer=method.customer.customer_ref,
            payment_method=method.processor_ref,
            amount=instalment.amount,
            currency=quote.currency,
            idempotency_key=key,
            description=(invoice.memo or f"Invoice {invoice.number}")[:500],
        )
    except ProcessorUnavailable:
        raise
    except PaymentError as error:
        logger.info(
            "charge of quote %s instalment %s failed: %s",
            quote.id,
            instalment.position,
            error.code,
        )
        return InstalmentCharge(
            processor=processor.name,
            key=key,
            attempt=attempt,
            error_code=error.code,
            error_message=error.message,
        )
    return InstalmentCharge(
        processor=processor.name, key=key, attempt=attempt, intent=intent
    )


@dataclass
class ChargeOutcome:
    """The instalment's status after a charge, and what to send after the commit."""

    status: InstalmentStatus
    payment: Payment | None = None
    # Send the receipt of ``payment``, or the link to authenticate it.
    receipt: bool = False
    authentication: bool = False


def record_instalment_charge(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    invoice: Invoice,
    charge: InstalmentCharge,
    *,
    business: Business,
    today: date,
) -> ChargeOutcome:
    """Write a charge's payment and move the instalment on, with its log event.

    ``today`` is the run's date in the business's time zone, from which a
    retry is scheduled. The caller holds the quote's row lock and commits.
    A failure queues the buyer's and the staff emails for after the commit.
    """
    instalment.attempts = charge.attempt
    if charge.intent is None:
        reason = payment_error_message(charge.error_code, charge.error_message)
        status = fail_instalment(
            session, quote, instalment, business=business, today=today, reason=reason
        )
        return ChargeOutcome(status)

    payment = _new_payment(session, quote, instalment, invoice, charge, business)
    status = payment.status
    details = {
        "instalment": instalment.position,
        "attempt": charge.attempt,
        "payment": payment.id,
    }
    if status is PaymentStatus.SUCCEEDED:
        instalment.next_attempt_at = None
        # Marking the invoice paid marks the instalment paid, and the quote
        # too once every instalment is (``follow_instalment_invoice``).
        complete_payment(
            session, payment, actor=SYSTEM, client_address=None, invoice=invoice
        )
        if instalment.status is not InstalmentStatus.PAID:
            raise RuntimeError(
                f"instalment {instalment.id} was charged by payment {payment.id} "
                f"but is {instalment.status.value}"
            )
        return ChargeOutcome(InstalmentStatus.PAID, payment, receipt=True)
    if status is PaymentStatus.PROCESSING:
        instalment.status = InstalmentStatus.PROCESSING
        instalment.next_attempt_at = None
        append_event(session, quote, "instalment_processing", SYSTEM, details=details)
        return ChargeOutcome(InstalmentStatus.PROCESSING, payment, receipt=True)
    if status is PaymentStatus.REQUIRES_ACTION:
        _hold(session, quote, instalment, business, today, details)
        return ChargeOutcome(
            InstalmentStatus.REQUIRES_ACTION, payment, authentication=True
        )
    intent = charge.intent
    payment.failure_message = payment_error_message(
        intent.error_code, intent.error_message
    )
    status = fail_instalment(
        session,
        quote,
        instalment,
        business=business,
        today=today,
        reason=payment.failure_message,
    )
    return ChargeOutcome(status, payment)


def fail_instalment(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    *,
    business: Business,
    today: date,
    reason: str,
    actor: str = SYSTEM,
) -> InstalmentStatus:
    """Schedule the next retry of a failed charge, or give the instalment up.

    ``instalment.attempts`` counts the failed charge already. The retry
    falls on the business's retry days, counted from the first failure.
    After the caller's commit, the buyer is emailed the invoice's pay link
    and staff are notified. Returns the instalment's new status.
    """
    previous_due = None
    if instalment.next_attempt_at is not None:
        previous_due = local_date(instalment.next_attempt_at, business.timezone)
    days = retry_days(business)
    retry_on = next_retry_on(days, instalment.attempts, today, previous_due)
    details = {
        "instalment": instalment.position,
        "attempt": instalment.attempts,
        "reason": reason,
    }
    if retry_on is None:
        instalment.status = InstalmentStatus.UNCOLLECTIBLE
        instalment.next_attempt_at = None
        append_event(session, quote, "instalment_uncollectible", actor, details=details)
    else:
        instalment.status = InstalmentStatus.FAILED
        instalment.next_attempt_at = start_of_day(retry_on, business.timezone)
        details["retry_on"] = retry_on.isoformat()
        append_event(session, quote, "instalment_failed", actor, details=details)
    logger.info(
        "instalment %s of quote %s is %s after %d charges",
        instalment.id,
        quote.id,
        instalment.status.value,
        instalment.attempts,
    )
    failure = FailedInstalment(
        quote=quote,
        instalment=instalment,
        invoice=instalment.invoice,
        reason=reason,
        retry_on=retry_on,
    )
    queue_failure_emails(session, failure, business)
    return instalment.status


def give_up_instalment(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    *,
    business: Business,
    reason: str,
) -> None:
    """Mark an instalment uncollectible whose last held charge was not authenticated."""
    instalment.status = InstalmentStatus.UNCOLLECTIBLE
    instalment.next_attempt_at = None
    append_event(
        session,
        quote,
        "instalment_uncollectible",
        SYSTEM,
        details={
            "instalment": instalment.position,
            "attempt": instalment.attempts,
            "reason": reason,
        },
    )
    logger.info("instalment %s of quote %s given up", instalment.id, quote.id)
    failure = FailedInstalment(
        quote=quote,
        instalment=instalment,
        invoice=instalment.invoice,
        reason=reason,
        retry_on=None,
    )
    queue_failure_emails(session, failure, business)


def not_authenticated_reason() -> str:
    """Return the buyer-facing reason for a held charge that was never confirmed."""
    return _("The payment was not confirmed with your bank in time.")


def queue_failure_emails(
    session: Session, failure: FailedInstalment, business: Business
) -> None:
    """Email the buyer the pay link and tell staff, once the caller commits."""
    quote = failure.quote
    if email_suppressed("failed instalment", quote.id):
        return
    about = "the failed instalment of quote"
    buyer = build_buyer_message(failure, business)
    send_after_commit(session, quote.id, buyer, about=about)
    staff = build_staff_message(failure, business)
    send_after_commit(session, quote.id, staff, about=about)


def _hold(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    business: Business,
    today: date,
    details: dict[str, object],
) -> None:
    """Wait for the customer to authenticate the charge, until the next retry.

    With no retry left, the customer has one day before the instalment is
    given up.
    """
    days = retry_days(business)
    previous_due = None
    if instalment.next_attempt_at is not None:
        previous_due = local_date(instalment.next_attempt_at, business.timezone)
    retry_on = next_retry_on(days, instalment.attempts, today, previous_due)
    check_on = retry_on or today + timedelta(days=1)
    instalment.status = InstalmentStatus.REQUIRES_ACTION
    instalment.next_attempt_at = start_of_day(check_on, business.timezone)
    append_event(
        session,
        quote,
        "instalment_requires_action",
        SYSTEM,
        details={**details, "check_on": check_on.isoformat()},
    )


def _new_payment(
    session: Session,
    quote: Quote,
    instalment: QuoteInstalment,
    invoice: Invoice,
    charge: InstalmentCharge,
    business: Business,
) -> Payment:
    """Add the charge's payment, with its own copy of the invoice's order."""
    intent = charge.intent
    payment = Payment(
        token=secrets.token_urlsafe(24),
        contact=quote.contact,
        order=copy_order(invoice.order),
        currency=quote.currency,
        amount=instalment.amount,
        status=intent.status,
        **method_fields(intent),
        processor=charge.processor,
        processor_ref=intent.id,
        locale=quote_locale(quote, business),
    )
    session.add(payment)
    instalment.payment = payment

    state = ATTEMPT_STATE_OF[intent.status]
    session.add(
        CheckoutAttempt(
            key=charge.key,
            invoice=invoice,
            payment=payment,
            state=state,
            form_data={},
            finished_at=None if state is AttemptState.REQUIRES_ACTION else now_utc(),
        )
    )
    session.flush()

    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.created",
        actor=SYSTEM,
        to_state=payment.status.value,
        details={
            "quote": quote.display_number or "",
            "instalment": str(instalment.position),
            "attempt": str(charge.attempt),
            "amount": str(payment.amount),
        },
    )
    logger.info(
        "payment %s created as %s for quote %s instalment %s",
        payment.id,
        payment.status.value,
        quote.id,
        instalment.position,
    )
    return payment
