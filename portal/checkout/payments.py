"""Taking a payment for a payment link: the checkout's domain logic.

Nothing here reads the request; views pass in what the buyer submitted.
"""

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from portal import audit
from portal.businesses import get_business
from portal.checkout.availability import unavailable_reason
from portal.checkout.form import CheckoutSubmission
from portal.checkout.messages import payment_error_field, payment_error_message
from portal.checkout.order import build_order, price_link
from portal.contacts import upsert_contact
from portal.database import now_utc
from portal.discounts import (
    DiscountCodeError,
    find_code,
    release_redemption,
    reserve_redemption,
)
from portal.models import (
    AttemptState,
    CheckoutAttempt,
    Discount,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentLink,
    PaymentMethodKind,
    PaymentStatus,
)
from portal.money import format_money
from portal.pricing import OrderTotals
from portal.processors.base import (
    MAX_AMOUNT,
    BankDetails,
    IntentResult,
    InvalidPaymentDetails,
    PaymentError,
    Processor,
)
from portal.processors.testmode import TestModeProcessor
from portal.sequences import next_number

logger = logging.getLogger(__name__)

# How long a repeated submit waits for the first one to finish, in seconds.
WAIT_FOR_FIRST_SUBMIT = 30.0
# How long an unfinished attempt keeps a slot of a link with a payment limit.
SLOT_HOLD = timedelta(minutes=30)
BUYER = "buyer"

ATTEMPT_STATE_OF = {
    PaymentStatus.SUCCEEDED: AttemptState.SUCCEEDED,
    PaymentStatus.PROCESSING: AttemptState.PROCESSING,
    PaymentStatus.REQUIRES_ACTION: AttemptState.REQUIRES_ACTION,
    PaymentStatus.REQUIRES_PAYMENT_METHOD: AttemptState.FAILED,
    PaymentStatus.CANCELED: AttemptState.FAILED,
}


@dataclass
class CheckoutResult:
    state: AttemptState
    payment: Payment | None = None
    message: str | None = None
    error_field: str | None = None  # the form field the message is about
    # True when the link itself takes no payment now, whatever the buyer types.
    link_unavailable: bool = False
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutRequest:
    link: PaymentLink
    attempt_key: str
    submission: CheckoutSubmission
    client_address: str
    locale: str


def submit_checkout(
    session: Session, processor: Processor, request: CheckoutRequest
) -> CheckoutResult:
    """Take the payment for one submit of the checkout form.

    The first submit with an attempt key does the work; a repeated one waits
    for it and returns the same result, so that a double click, a resubmit
    after Back or a second tab never charge twice.
    """
    attempt = _claim_attempt(session, request)
    if attempt is None:
        return _wait_for_attempt(session, request.attempt_key)
    if attempt.state is AttemptState.FAILED:
        result = result_of_attempt(attempt)
        result.link_unavailable = True
        return result
    try:
        return _pay(session, processor, attempt, request)
    except Exception as error:
        session.rollback()
        attempt = session.get(CheckoutAttempt, attempt.id)
        attempt.state = AttemptState.FAILED
        if isinstance(error, UnrecordedCharge):
            attempt.error_message = _(
                "Your payment may have gone through, but we could not record it. "
                "Contact the business before you pay again."
            )
        else:
            attempt.error_message = _("Something went wrong. Nothing was charged.")
        attempt.finished_at = now_utc()
        session.commit()
        raise


def authenticate_payment(
    session: Session,
    processor: Processor,
    payment: Payment,
    *,
    approved: bool,
    client_address: str,
) -> CheckoutResult:
    """Finish the authentication step of a payment that requires action."""
    session.refresh(payment, with_for_update=True)
    if payment.status is PaymentStatus.REQUIRES_ACTION:
        intent = processor.complete_action(payment.processor_ref, approved=approved)
        apply_intent(
            session, payment, intent, actor=BUYER, client_address=client_address
        )
        session.commit()
        notify_payment(payment)
    return result_of_payment(session, payment)


def result_of_payment(session: Session, payment: Payment) -> CheckoutResult:
    """Return the result of the checkout attempt that made ``payment``."""
    return result_of_attempt(_attempt_for(session, payment))


def apply_intent(
    session: Session,
    payment: Payment,
    intent: IntentResult,
    *,
    actor: str,
    client_address: str | None,
) -> None:
    """Move a payment to the state its processor reports, with all that follows."""
    if payment.status is intent.status:
        return
    if payment.status is PaymentStatus.SUCCEEDED:
        logger.warning("ignored a state change of succeeded payment %s", payment.id)
        return
    set_status(
        session, payment, intent.status, actor=actor, client_address=client_address
    )
    _follow_status(session, payment, intent, actor=actor, client_address=client_address)


def _follow_status(
    session: Session,
    payment: Payment,
    intent: IntentResult,
    *,
    actor: str,
    client_address: str | None,
) -> None:
    """Do what a payment's new status calls for.

    A success numbers the receipt and writes the paid invoice; a failure
    gives back the discount redemption. The checkout attempt follows along.
    """
    attempt = _attempt_for(session, payment)
    status = payment.status
    if status is PaymentStatus.SUCCEEDED:
        complete_payment(session, payment, actor=actor, client_address=client_address)
    elif status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        payment.failure_message = payment_error_message(
            intent.error_code, intent.error_message
        )
        if payment.order.discount_id is not None:
            release_redemption(session, payment.order.discount_id)
    if attempt is None:
        return
    attempt.state = ATTEMPT_STATE_OF[status]
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        attempt.error_message = payment.failure_message
    if status is not PaymentStatus.REQUIRES_ACTION:
        attempt.finished_at = attempt.finished_at or now_utc()


def set_status(
    session: Session,
    payment: Payment,
    status: PaymentStatus,
    *,
    actor: str,
    client_address: str | None,
) -> None:
    previous = payment.status
    payment.status = status
    session.flush()
    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.status_changed",
        actor=actor,
        from_state=previous.value if previous else None,
        to_state=status.value,
        client_address=client_address,
    )
    logger.info("payment %s moved to %s", payment.id, status.value)


def complete_payment(
    session: Session, payment: Payment, *, actor: str, client_address: str | None
) -> Invoice:
    """Number the receipt and write the paid invoice of a succeeded payment."""
    now = now_utc()
    payment.succeeded_at = now
    payment.receipt_number = next_number(session, "receipt")
    invoice = Invoice(
        number=next_number(session, "invoice"),
        token=secrets.token_urlsafe(24),
        order=payment.order,
        contact=payment.contact,
        link_id=payment.link_id,
        payment=payment,
        status=InvoiceStatus.PAID,
        currency=payment.currency,
        total=payment.amount,
        issued_at=now,
        paid_at=now,
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.paid",
        actor=actor,
        to_state=InvoiceStatus.PAID.value,
        client_address=client_address,
        details={"payment": str(payment.id), "number": invoice.number},
    )
    return invoice


def result_of_attempt(attempt: CheckoutAttempt | None) -> CheckoutResult:
    if attempt is None:
        return CheckoutResult(AttemptState.FAILED, message=_("Unknown payment."))
    return CheckoutResult(
        state=attempt.state,
        payment=attempt.payment,
        message=attempt.error_message,
        values=dict(attempt.form_data),
    )


def _claim_attempt(
    session: Session, request: CheckoutRequest
) -> CheckoutAttempt | None:
    """Insert the attempt row, or return None when its key is already taken.

    For a link with a payment limit the attempt also claims a slot: the link
    row is locked while the live attempts are counted, so concurrent buyers
    cannot pass the limit between the check and the charge. An attempt that
    finds no free slot is stored as failed.
    """
    link = request.link
    if link.max_payments is not None:
        session.execute(
            select(PaymentLink.id).where(PaymentLink.id == link.id).with_for_update()
        )
    attempt = CheckoutAttempt(
        key=request.attempt_key,
        link_id=link.id,
        form_data=request.submission.values,
        client_address=request.client_address,
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    if (
        link.max_payments is not None
        and claimed_slots(session, link) > link.max_payments
    ):
        attempt.state = AttemptState.FAILED
        attempt.error_message = _(
            "This payment link has reached its limit of payments and no longer "
            "takes new ones."
        )
        attempt.finished_at = now_utc()
    session.commit()
    return attempt


def claimed_slots(session: Session, link: PaymentLink) -> int:
    """Count the attempts that hold one of a limited link's payment slots.

    Finished payments keep theirs for good. An attempt still in progress or
    waiting for authentication keeps one for ``SLOT_HOLD``, so an abandoned
    attempt stops blocking other buyers after that.
    """
    recent = now_utc() - SLOT_HOLD
    return session.scalar(
        select(func.count(CheckoutAttempt.id)).where(
            CheckoutAttempt.link_id == link.id,
            CheckoutAttempt.state.in_((AttemptState.SUCCEEDED, AttemptState.PROCESSING))
            | (
                CheckoutAttempt.state.in_(
                    (AttemptState.IN_PROGRESS, AttemptState.REQUIRES_ACTION)
                )
                & (CheckoutAttempt.created_at > recent)
            ),
        )
    )


def _wait_for_attempt(session: Session, key: str) -> CheckoutResult:
    deadline = time.monotonic() + WAIT_FOR_FIRST_SUBMIT
    while True:
        session.expire_all()
        attempt = session.scalars(
            select(CheckoutAttempt).where(CheckoutAttempt.key == key)
        ).one()
        if attempt.state is not AttemptState.IN_PROGRESS:
            return result_of_attempt(attempt)
        if time.monotonic() > deadline:
            logger.warning(
                "repeated submit of attempt %s timed out waiting", attempt.id
            )
            return CheckoutResult(
                AttemptState.FAILED,
                message=_(
                    "Your payment is still being processed. Check your email for "
                    "a receipt before you try again."
                ),
            )
        session.rollback()
        time.sleep(0.1)


def _attempt_for(session: Session, payment: Payment) -> CheckoutAttempt | None:
    return session.scalars(
        select(CheckoutAttempt).where(CheckoutAttempt.payment_id == payment.id)
    ).first()


def _fail(
    session: Session, attempt: CheckoutAttempt, message: str, field: str | None = None
) -> CheckoutResult:
    attempt.state = AttemptState.FAILED
    attempt.error_message = message
    attempt.finished_at = now_utc()
    session.commit()
    return CheckoutResult(
        AttemptState.FAILED,
        message=message,
        error_field=field,
        values=dict(attempt.form_data),
    )


def _pay(
    session: Session,
    processor: Processor,
    attempt: CheckoutAttempt,
    request: CheckoutRequest,
) -> CheckoutResult:
    link = request.link
    submission = request.submission
    now = now_utc()

    reason = unavailable_reason(session, link, now)
    if reason is not None:
        result = _fail(session, attempt, reason)
        result.link_unavailable = True
        return result

    discount = None
    code = submission.selection.discount_code
    if code:
        try:
            discount = find_code(session, code, link.currency, now)
        except DiscountCodeError as error:
            return _fail(session, attempt, error.message, field="discount_code")

    totals = price_link(link, submission.selection.quantities, discount)
    if totals.total > MAX_AMOUNT:
        limit = format_money(MAX_AMOUNT, link.currency, request.locale)
        return _fail(
            session,
            attempt,
            _(
                "The total is above %(limit)s, the most one payment can be.",
                limit=limit,
            ),
        )
    if discount is not None and not reserve_redemption(session, discount):
        return _fail(
            session,
            attempt,
            _("The code %(code)s has been used up.", code=discount.code),
            field="discount_code",
        )
    session.commit()

    intent = None
    if totals.total > 0:
        try:
            intent = processor.create_payment(
                amount=totals.total,
                currency=link.currency,
                details=submission.details,
                idempotency_key=f"checkout-{attempt.key}",
                description=link.title,
            )
        except PaymentError as error:
            _release(session, discount)
            field = None
            if isinstance(error, InvalidPaymentDetails):
                field = payment_error_field(
                    error.code, bank_debit=isinstance(submission.details, BankDetails)
                )
            logger.info("payment for attempt %s failed: %s", attempt.id, error.code)
            message = payment_error_message(error.code, error.message)
            return _fail(session, attempt, message, field=field)

    try:
        payment = _record_payment(
            session, processor, attempt, request, totals, discount, intent
        )
    except Exception:
        session.rollback()
        if intent is not None:
            _reverse_charge(processor, intent)
        _release(session, discount)
        session.commit()
        raise
    notify_payment(payment)
    result = result_of_attempt(attempt)
    if payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        result.error_field = payment_error_field(
            intent.error_code, bank_debit=payment.method is PaymentMethodKind.BANK_DEBIT
        )
    return result


class UnrecordedCharge(Exception):
    """A charge the processor took that could neither be recorded nor reversed."""


def _reverse_charge(processor: Processor, intent: IntentResult) -> None:
    """Undo a charge whose payment could not be recorded.

    Raises ``UnrecordedCharge`` when the reversal fails, so that the buyer's
    message does not claim that nothing was charged.
    """
    if intent.status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        return  # declined: there is nothing to undo
    try:
        processor.reverse_payment(intent.id)
    except Exception as error:
        logger.critical("charge %s was neither recorded nor reversed", intent.id)
        raise UnrecordedCharge(intent.id) from error
    logger.error("charge %s was reversed as its payment was not recorded", intent.id)


def _release(session: Session, discount: Discount | None) -> None:
    if discount is not None:
        release_redemption(session, discount.id)


def _record_payment(
    session: Session,
    processor: Processor,
    attempt: CheckoutAttempt,
    request: CheckoutRequest,
    totals: OrderTotals,
    discount: Discount | None,
    intent: IntentResult | None,
) -> Payment:
    link = request.link
    submission = request.submission
    if intent is None:  # nothing to charge: the order total is zero
        intent = IntentResult(
            id="",
            status=PaymentStatus.SUCCEEDED,
            amount=0,
            currency=link.currency,
            method=PaymentMethodKind.NONE.value,
        )
    method = PaymentMethodKind(intent.method)
    payment = Payment(
        token=secrets.token_urlsafe(24),
        link_id=link.id,
        contact=upsert_contact(session, submission.buyer),
        order=build_order(
            link, totals, discount, submission.custom_answers, buyer=submission.buyer
        ),
        currency=link.currency,
        amount=totals.total,
        status=intent.status,
        method=method,
        card_brand=intent.card_brand,
        card_last4=intent.last4 if method is PaymentMethodKind.CARD else None,
        bank_last4=intent.last4 if method is PaymentMethodKind.BANK_DEBIT else None,
        processor=processor.name if intent.id else "none",
        processor_ref=intent.id or None,
        locale=request.locale,
    )
    session.add(payment)
    session.flush()
    attempt.payment_id = payment.id
    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action="payment.created",
        actor=BUYER,
        to_state=payment.status.value,
        client_address=request.client_address,
        details={"link": link.slug, "amount": str(totals.total)},
    )
    _follow_status(
        session, payment, intent, actor=BUYER, client_address=request.client_address
    )
    session.commit()
    logger.info("payment %s created as %s", payment.id, payment.status.value)
    return payment


def settle_test_debits(
    session: Session, processor: TestModeProcessor, as_of: datetime | None = None
) -> list[Payment]:
    """Settle the test-mode bank debits that are due and update their payments."""
    settled = []
    for intent in processor.settle_due_debits(as_of):
        payment = session.scalars(
            select(Payment).where(Payment.processor_ref == intent.id)
        ).first()
        if payment is None:
            logger.warning("settled test debit %s has no payment", intent.id)
            continue
        with force_locale(payment.locale):
            apply_intent(session, payment, intent, actor="system", client_address=None)
        session.commit()
        notify_payment(payment)
        settled.append(payment)
    return settled


def notify_payment(payment: Payment) -> None:
    """Email the buyer and the merchant about a payment that went through.

    A bank debit gets a note that it is processing, then a receipt once it
    settles or a note that it failed. A declined card gets no email, as the
    buyer is still on the checkout page. A failure to send is logged and never
    undoes a payment.
    """
    failed_debit = (
        payment.method is PaymentMethodKind.BANK_DEBIT
        and payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD
    )
    if not failed_debit and payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.PROCESSING,
    ):
        return
    from portal.notifications import send_payment_confirmations
    from portal.urls import public_url

    business = get_business(object_session(payment))
    receipt = public_url(f"/receipts/{payment.token}?lang={payment.locale}")
    try:
        with force_locale(payment.locale):
            send_payment_confirmations(payment, business, receipt, payment.locale)
    except Exception:
        logger.exception("sending confirmations for payment %s failed", payment.id)
