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
from portal.checkout.charges import (
    Charge,
    ChargeRejected,
    invoice_charge,
    link_charge,
)
from portal.checkout.form import CheckoutSubmission
from portal.checkout.messages import payment_error_field, payment_error_message
from portal.checkout.saving import (
    payment_options,
    remember_method,
    remember_saved_card,
)
from portal.checkout.subscribing import (
    save_card_now,
    start_after_authentication,
    start_paid_subscription,
)
from portal.contacts import upsert_contact
from portal.database import now_utc
from portal.discounts import release_redemption
from portal.invoices.attempts import live_attempts
from portal.invoices.lifecycle import settle_with_payment
from portal.locking import lock_row
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
    SavedPaymentMethod,
)
from portal.payments.intent_fields import method_fields, no_charge_intent
from portal.processors.base import (
    BankDetails,
    IntentResult,
    InvalidPaymentDetails,
    PaymentError,
    PaymentMethodReference,
    Processor,
    ProcessorUnavailable,
    SavedMethodDetails,
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
    # Set when the processor could not be reached: nothing was charged, and a
    # form shown again with this attempt key repeats the same idempotency key.
    retry_key: str | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    """One submit of a checkout form, paying either a link or an invoice."""

    attempt_key: str
    submission: CheckoutSubmission
    client_address: str
    locale: str
    link: PaymentLink | None = None
    invoice: Invoice | None = None

    def __post_init__(self) -> None:
        if (self.link is None) == (self.invoice is None):
            raise ValueError("A checkout request pays either a link or an invoice.")


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
        start_after_authentication(session, processor, payment, now_utc())
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
    # Imported here because the billing package imports this module.
    from portal.billing.follow import follow_payment

    follow_payment(session, payment, actor=actor)


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
        complete_payment(
            session,
            payment,
            actor=actor,
            client_address=client_address,
            invoice=attempt.invoice if attempt is not None else None,
        )
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
    session: Session,
    payment: Payment,
    *,
    actor: str,
    client_address: str | None,
    invoice: Invoice | None = None,
) -> Invoice:
    """Number the receipt of a succeeded payment and mark its invoice paid.

    A payment of a sent ``invoice`` pays that invoice. A payment link's
    payment gets a new invoice, written as paid.
    """
    now = now_utc()
    payment.succeeded_at = now
    payment.receipt_number = next_number(session, "receipt")
    if invoice is not None:
        settle_with_payment(
            session, invoice, payment, actor=actor, client_address=client_address
        )
        return invoice
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
    cannot pass the limit between the check and the charge. An invoice is
    paid by one attempt at a time in the same way. An attempt that finds no
    free slot is stored as failed.
    """
    link = request.link
    invoice = request.invoice
    if invoice is not None:
        lock_row(session, Invoice, invoice.id)
    elif link.max_payments is not None:
        session.execute(
            select(PaymentLink.id).where(PaymentLink.id == link.id).with_for_update()
        )
    attempt = CheckoutAttempt(
        key=request.attempt_key,
        link_id=link.id if link is not None else None,
        invoice_id=invoice.id if invoice is not None else None,
        form_data=request.submission.values,
        client_address=request.client_address,
    )
    session.add(attempt)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    if invoice is not None and live_attempts(session, invoice.id, now_utc()) > 1:
        attempt.state = AttemptState.FAILED
        attempt.error_message = _(
            "This invoice is already being paid. Wait a moment and reload the "
            "page to see its status."
        )
        attempt.finished_at = now_utc()
    elif (
        link is not None
        and link.max_payments is not None
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
        ).first()
        if attempt is None:
            # The first submit found the processor unreachable and let go of
            # the attempt so that it can be tried again.
            return _unavailable_result(key, values={})
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
    submission = request.submission
    try:
        charge = _prepare_charge(session, processor, request)
    except ChargeRejected as rejected:
        session.rollback()
        result = _fail(session, attempt, rejected.message, field=rejected.field)
        result.link_unavailable = rejected.unavailable
        return result
    session.commit()

    intent = None
    in_browser = isinstance(submission.details, PaymentMethodReference)
    saving = {}
    saved_card = None  # a card saved without a charge
    if charge.total == 0 and charge.plan is not None:
        try:
            saving = saving_options(session, processor, submission, attempt.key)
            card_save = save_card_now(
                processor,
                submission.details,
                saving["customer"],
                attempt.key,
                charge.currency,
            )
        except ProcessorUnavailable:
            _release(session, charge.discount)
            return _let_go(session, attempt)
        except PaymentError as error:
            _release(session, charge.discount)
            logger.info("card for attempt %s not saved: %s", attempt.id, error.code)
            message = payment_error_message(error.code, error.message)
            field = "method" if error.code == "card_required" else "card_number"
            if in_browser:
                field = "payment_method"
            return _fail(session, attempt, message, field=field)
        saved_card = card_save.saved
        # A card the bank requires the buyer to authenticate first is recorded
        # as a zero payment that waits for that step, as a held charge does.
        # TODO: only the authentication page's post finishes such a setup.
        # Neither setup_intent webhooks nor the reconcile command read it, so
        # a buyer who closes the page after authenticating starts nothing.
        intent = card_save.pending
    elif charge.total > 0:
        try:
            saving = saving_options(session, processor, submission, attempt.key)
            intent = processor.create_payment(
                amount=charge.total,
                currency=charge.currency,
                details=submission.details,
                idempotency_key=f"checkout-{attempt.key}",
                description=charge.description,
                **saving,
            )
        except ProcessorUnavailable:
            _release(session, charge.discount)
            return _let_go(session, attempt)
        except PaymentError as error:
            _release(session, charge.discount)
            field = None
            if isinstance(error, InvalidPaymentDetails):
                field = payment_error_field(
                    error.code,
                    bank_debit=isinstance(submission.details, BankDetails),
                    in_browser=in_browser,
                )
            logger.info("payment for attempt %s failed: %s", attempt.id, error.code)
            message = payment_error_message(error.code, error.message)
            return _fail(session, attempt, message, field=field)

    try:
        payment = _record_payment(session, processor, attempt, request, charge, intent)
    except Exception:
        session.rollback()
        if intent is not None:
            _reverse_charge(processor, intent)
        _release(session, charge.discount)
        session.commit()
        raise
    saved = _remember(
        session, processor, payment, intent, submission, saving, saved_card
    )
    if charge.plan is not None:
        start_paid_subscription(
            session,
            payment,
            attempt,
            saved_method=saved,
            now=now_utc(),
            plan=charge.plan,
        )
    notify_payment(payment)
    result = result_of_attempt(attempt)
    if payment.status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        result.error_field = payment_error_field(
            intent.error_code,
            bank_debit=payment.method is PaymentMethodKind.BANK_DEBIT,
            in_browser=in_browser,
        )
    return result


def _remember(
    session: Session,
    processor: Processor,
    payment: Payment,
    intent: IntentResult | None,
    submission: CheckoutSubmission,
    saving: dict[str, object],
    saved_card: SavedMethodDetails | None,
) -> SavedPaymentMethod | None:
    """Record the payment method the processor saved, if the buyer agreed."""
    if not saving:
        return None
    if saved_card is not None:
        return remember_saved_card(
            session,
            processor,
            payment,
            saved_card,
            customer=saving["customer"],
            consent=submission.save_consent,
        )
    return remember_method(
        session,
        processor,
        payment,
        intent,
        submission.details,
        customer=saving["customer"],
        consent=submission.save_consent,
    )


def saving_options(
    session: Session,
    processor: Processor,
    submission: CheckoutSubmission,
    attempt_key: str,
) -> dict[str, object]:
    """Return the arguments that save the buyer's payment method, if they agreed."""
    if submission.save_consent is None:
        return {}
    return payment_options(
        session,
        processor,
        email=submission.buyer.email,
        name=submission.buyer.name or None,
        consent=submission.save_consent,
        idempotency_key=f"checkout-{attempt_key}",
    )


def _let_go(session: Session, attempt: CheckoutAttempt) -> CheckoutResult:
    """Remove an attempt whose processor could not be reached, and report it.

    Nothing was recorded and, as far as this server knows, nothing charged.
    The form comes back with the same attempt key, so paying again sends the
    same idempotency key: if the first request did reach the processor after
    all, the processor returns that first result instead of charging again.
    """
    key, values = attempt.key, dict(attempt.form_data)
    session.delete(attempt)
    session.commit()
    logger.warning("payment for attempt %s not made: processor unavailable", key)
    return _unavailable_result(key, values)


def _unavailable_result(key: str, values: dict[str, str]) -> CheckoutResult:
    return CheckoutResult(
        AttemptState.FAILED,
        message=payment_error_message("processor_unavailable"),
        values=values,
        retry_key=key,
    )


def _prepare_charge(
    session: Session, processor: Processor, request: CheckoutRequest
) -> Charge:
    if request.invoice is not None:
        return invoice_charge(request.invoice, request.locale)
    return link_charge(
        session,
        request.link,
        request.submission,
        request.locale,
        now_utc(),
    )


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
    charge: Charge,
    intent: IntentResult | None,
) -> Payment:
    submission = request.submission
    if intent is None:  # nothing to charge: the order total is zero
        intent = no_charge_intent(charge.currency)
    payment = Payment(
        token=secrets.token_urlsafe(24),
        link_id=charge.link_id,
        contact=charge.contact or upsert_contact(session, submission.buyer),
        order=charge.make_order(),
        currency=charge.currency,
        amount=charge.total,
        status=intent.status,
        **method_fields(intent),
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
        details=charge.audit_details,
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
