"""Billing the later instalments of accepted quotes, in the billing run.

The buyer pays a quote's first instalment on the quote page. The run bills
every later instalment on its due date, a date in the business's time zone.
The instalment first gets an open invoice of its own, and is then charged to
the quote's saved payment method while the customer is away. Without a
usable saved method the invoice is emailed with its pay link instead.

A failed charge is retried on the business's retry days, and after the
last retry the instalment is uncollectible; the buyer is emailed the
invoice's pay link and staff are emailed each time. A charge that the bank
holds for authentication emails the customer the authentication link. When
the invoice is paid, by a charge or on its page, the quote's own payment
code marks the instalment paid, and the quote paid once every instalment is.

Each step locks the quote's row, does one thing and commits, so a run after
some downtime bills every instalment it missed. On PostgreSQL the lock is
``SELECT ... FOR UPDATE SKIP LOCKED``, so several runners share the work and
each instalment is billed once. SQLite has no row locks. There the
processor's idempotency keys and the unique checkout attempt key per charge
keep an instalment from being charged twice.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.billing.collection import release_held_charge
from portal.billing.instalment_charges import (
    ChargeOutcome,
    charge_instalment,
    give_up_instalment,
    not_authenticated_reason,
    record_instalment_charge,
    usable_method,
)
from portal.billing.retries import retry_days
from portal.billing.states import SYSTEM, local_date, start_of_day
from portal.billing.summary import RunSummary
from portal.businesses import get_business
from portal.checkout.off_session import request_authentication
from portal.checkout.payments import apply_intent, notify_payment
from portal.invoices.delivery import email_invoice
from portal.invoices.lifecycle import payable_reason
from portal.models import (
    Business,
    InstalmentStatus,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    Quote,
    QuoteInstalment,
    QuoteStatus,
)
from portal.processors.base import IntentResult, Processor, ProcessorUnavailable
from portal.quotes.evidence import append_event
from portal.quotes.paying import instalment_invoice

logger = logging.getLogger(__name__)

# A stop for a loop that should never run this long: a quote has at most 24
# instalments, each taking a few steps.
MAX_STEPS = 500

# Instalments whose charge is tried again on ``next_attempt_at``.
RETRYING = (InstalmentStatus.FAILED, InstalmentStatus.REQUIRES_ACTION)


def due_quotes(session: Session, as_of: date) -> list[int]:
    """Return the ids of accepted quotes with a later instalment to bill by ``as_of``.

    That is an instalment due by then and not billed yet, or a failed or held
    charge whose retry falls on or before that day.
    """
    business = get_business(session)
    cutoff = start_of_day(as_of + timedelta(days=1), business.timezone)
    statement = (
        select(Quote.id)
        .join(QuoteInstalment, QuoteInstalment.quote_id == Quote.id)
        .where(
            Quote.status == QuoteStatus.ACCEPTED,
            Quote.collect_payment.is_(True),
            QuoteInstalment.position > 0,
            or_(
                and_(
                    QuoteInstalment.status == InstalmentStatus.PENDING,
                    QuoteInstalment.due_on <= as_of,
                ),
                and_(
                    QuoteInstalment.status.in_(RETRYING),
                    QuoteInstalment.next_attempt_at < cutoff,
                ),
            ),
        )
        .distinct()
        .order_by(Quote.id)
    )
    return list(session.scalars(statement))


def bill_quote(
    session: Session,
    processor: Processor,
    quote_id: int,
    as_of: date,
    summary: RunSummary,
    *,
    skip_locked: bool,
) -> None:
    """Take steps for one quote until nothing more is due, adding to ``summary``.

    With ``skip_locked`` a quote that another runner has locked is left to
    that runner. A processor that cannot be reached stops the quote's
    billing until the next run, which repeats the same idempotency key.
    Any other error is rolled back and raised.
    """
    for _ in range(MAX_STEPS):
        session.expire_all()
        quote = _lock(session, quote_id, skip_locked=skip_locked)
        if quote is None:
            session.rollback()
            return
        try:
            step = _take_step(session, processor, quote, as_of)
            session.commit()
        except ProcessorUnavailable:
            session.rollback()
            logger.warning("billing quote %s stopped: processor unavailable", quote_id)
            summary.errors += 1
            return
        except IntegrityError:
            # On SQLite, an overlapping run recorded the same charge first.
            session.rollback()
            logger.warning(
                "billing quote %s stopped: another run recorded its charge", quote_id
            )
            return
        except Exception:
            session.rollback()
            raise
        for send in step.after_commit:
            send()
        summary.add(step.summary)
        if not step.more:
            return
    logger.error("billing quote %s stopped after %d steps", quote_id, MAX_STEPS)
    summary.errors += 1


@dataclass
class _Step:
    """One step's work: what to count and what to send once it is committed."""

    summary: RunSummary = field(default_factory=RunSummary)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    more: bool = False  # another step may be due at once


@dataclass(frozen=True, slots=True)
class _Context:
    session: Session
    processor: Processor
    business: Business
    quote: Quote
    today: date  # the run's date in the business's time zone
    step: _Step


def _lock(session: Session, quote_id: int, *, skip_locked: bool) -> Quote | None:
    """Lock and read the quote; None when it is gone or another runner has it."""
    statement = (
        select(Quote)
        .where(Quote.id == quote_id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name != "sqlite":
        statement = statement.with_for_update(skip_locked=skip_locked)
    return session.scalars(statement).first()


def _take_step(
    session: Session, processor: Processor, quote: Quote, as_of: date
) -> _Step:
    step = _Step()
    if quote.status is not QuoteStatus.ACCEPTED or not quote.collect_payment:
        return step

    business = get_business(session)
    context = _Context(session, processor, business, quote, as_of, step)
    instalment = _next_due(quote, business, as_of)
    if instalment is None:
        return step

    step.more = True
    invoice = instalment.invoice
    if invoice is None:
        # The invoice is written in a step of its own, before any charge.
        instalment_invoice(session, quote, instalment)
        step.summary.instalments_billed += 1
        return step
    if invoice.status is InvoiceStatus.VOID:
        _stop_for_void_invoice(context, instalment)
        return step
    if payable_reason(invoice) is not None:
        logger.error(
            "instalment %s is %s but its invoice %s is %s",
            instalment.id,
            instalment.status.value,
            invoice.id,
            invoice.status.value,
        )
        step.more = False
        step.summary.errors += 1
        return step

    _collect(context, instalment)
    return step


def _next_due(quote: Quote, business: Business, today: date) -> QuoteInstalment | None:
    """Return the first later instalment with something to do on ``today``."""
    for instalment in quote.instalments[1:]:
        if _is_due(instalment, business, today):
            return instalment
    return None


def _is_due(instalment: QuoteInstalment, business: Business, today: date) -> bool:
    if instalment.status is InstalmentStatus.PENDING:
        return instalment.due_on is not None and instalment.due_on <= today
    retry_at = instalment.next_attempt_at
    if instalment.status not in RETRYING or retry_at is None:
        return False
    return local_date(retry_at, business.timezone) <= today


def _collect(context: _Context, instalment: QuoteInstalment) -> None:
    """Charge the instalment, settle a held charge, or email its invoice.

    Every processor call comes before the first write; see
    ``portal.billing.instalment_charges``.
    """
    session, quote, business = context.session, context.quote, context.business
    processor = context.processor
    if instalment.status in RETRYING:
        context.step.summary.retries += 1
    held = _held_payment(instalment)
    released = None
    if held is not None:
        released = release_held_charge(processor, held)
        if released.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
            # The customer authenticated it after all, and its status change
            # may never have been reported.
            _record_released(context, held, released)
            context.step.summary.charged += 1
            context.step.after_commit.append(lambda: notify_payment(held))
            return

    if instalment.status is InstalmentStatus.REQUIRES_ACTION and (
        instalment.attempts > len(retry_days(business))
    ):
        # The last held charge was not authenticated in time.
        reason = (held.failure_message if held else None) or not_authenticated_reason()
        if held is not None:
            _record_released(context, held, released)
        give_up_instalment(session, quote, instalment, business=business, reason=reason)
        context.step.summary.failed += 1
        return

    method = usable_method(quote, processor)
    charge = None
    if method is not None:
        charge = charge_instalment(
            processor, quote, instalment, instalment.invoice, method
        )
    if held is not None:
        _record_released(context, held, released)
    if charge is None:
        _email_invoice(context, instalment)
        return
    outcome = record_instalment_charge(
        session,
        quote,
        instalment,
        instalment.invoice,
        charge,
        business=business,
        today=context.today,
    )
    _follow_outcome(context, outcome)


def _held_payment(instalment: QuoteInstalment) -> Payment | None:
    """Return the instalment's charge that still waits for authentication, if any."""
    payment = instalment.payment
    if (
        instalment.status is InstalmentStatus.REQUIRES_ACTION
        and payment is not None
        and payment.status is PaymentStatus.REQUIRES_ACTION
    ):
        return payment
    return None


def _record_released(
    context: _Context, payment: Payment, released: IntentResult
) -> None:
    """Record what became of a held charge, as a webhook would.

    A canceled charge moves its instalment from held to failed through the
    payment's follow hook, and the retry stays as it was scheduled.
    """
    apply_intent(context.session, payment, released, actor=SYSTEM, client_address=None)


def _email_invoice(context: _Context, instalment: QuoteInstalment) -> None:
    """Email the invoice with its pay link, as no saved method can be charged."""
    session, quote = context.session, context.quote
    invoice = instalment.invoice
    instalment.status = InstalmentStatus.INVOICED
    instalment.next_attempt_at = None
    append_event(
        session,
        quote,
        "instalment_invoice_emailed",
        SYSTEM,
        details={"instalment": instalment.position, "invoice": invoice.number},
    )
    context.step.summary.invoiced += 1
    context.step.after_commit.append(lambda: email_invoice(session, invoice))


def _stop_for_void_invoice(context: _Context, instalment: QuoteInstalment) -> None:
    """Stop charging an instalment whose invoice staff voided.

    A charge still held for authentication is canceled first, so that the
    customer cannot pay the void invoice through it.
    """
    held = _held_payment(instalment)
    if held is not None:
        released = release_held_charge(context.processor, held)
        _record_released(context, held, released)
        if released.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
            # NOTE: the customer authenticated the charge of a void invoice
            # before it could be canceled; the payment stays for staff to refund.
            logger.error(
                "payment %s went through for the void invoice %s",
                held.id,
                instalment.invoice_id,
            )
    instalment.status = InstalmentStatus.UNCOLLECTIBLE
    instalment.next_attempt_at = None
    append_event(
        context.session,
        context.quote,
        "instalment_uncollectible",
        SYSTEM,
        details={
            "instalment": instalment.position,
            "invoice": instalment.invoice.number,
            "reason": "invoice voided",
        },
    )
    logger.info(
        "instalment %s not charged again: invoice %s is void",
        instalment.id,
        instalment.invoice_id,
    )


def _follow_outcome(context: _Context, outcome: ChargeOutcome) -> None:
    """Count a charge's outcome and queue its emails for after the commit."""
    summary, after_commit = context.step.summary, context.step.after_commit
    payment = outcome.payment
    status = outcome.status
    if status in (InstalmentStatus.PAID, InstalmentStatus.PROCESSING):
        summary.charged += 1
    elif status is InstalmentStatus.REQUIRES_ACTION:
        summary.requires_action += 1
    else:
        summary.failed += 1
    if outcome.receipt and payment is not None:
        after_commit.append(lambda: notify_payment(payment))
    if outcome.authentication and payment is not None:
        after_commit.append(lambda: request_authentication(payment))
