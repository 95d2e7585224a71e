"""Starting the subscription that a checkout of a recurring payment link bought.

The subscription starts once the checkout's payment has succeeded or, for a
bank debit, is processing; a declined payment starts nothing. Its
idempotency key is the checkout attempt's key, so a repeated submit or a
second try after an error finds the subscription made the first time.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.businesses import get_business
from portal.checkout.form import read_selection
from portal.checkout.messages import payment_error_message
from portal.checkout.saving import Consent, find_customer, remember_method
from portal.checkout.stripe_payment import consent_text
from portal.checkout.subscription_plan import (
    SubscriptionPlan,
    business_today,
    plan_subscription,
    recurring_items,
)
from portal.models import (
    CheckoutAttempt,
    Discount,
    Payment,
    PaymentStatus,
    SavedPaymentMethod,
    Subscription,
)
from portal.processors.base import (
    CardDetails,
    IntentResult,
    PaymentError,
    PaymentMethodReference,
    Processor,
    SavedMethodDetails,
)
from portal.processors.stripe import StripeProcessor
from portal.processors.testmode import AuthenticationRequired
from portal.subscriptions.starting import (
    StartError,
    StartLine,
    StartTerms,
    start_subscription,
)

logger = logging.getLogger(__name__)

STARTING_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)


def start_paid_subscription(
    session: Session,
    payment: Payment,
    attempt: CheckoutAttempt,
    *,
    saved_method: SavedPaymentMethod | None,
    now: datetime,
    plan: SubscriptionPlan | None = None,
) -> Subscription | None:
    """Start the subscription that ``payment`` bought, and commit.

    ``plan`` is the one the charge was priced with; without it the plan is
    worked out again for today. Returns None when the payment bought no
    subscription or has not gone through. A subscription that cannot start
    is logged, and the payment is kept.
    """
    link = payment.link
    if link is None or payment.status not in STARTING_STATUSES:
        return None
    if plan is None:
        plan = plan_subscription(link, business_today(_timezone(session), now))
    if plan is None:
        return None
    quantities = read_selection(MultiDict(attempt.form_data), link).quantities
    lines = [
        StartLine(
            price=item.price,
            quantity=quantities.get(item.id, item.quantity),
            description=item.price.product.name,
            tax_rate=item.tax_rate,
        )
        for item in recurring_items(link)
    ]
    discount = None
    if payment.order.discount_id is not None:
        discount = session.get(Discount, payment.order.discount_id)
    try:
        subscription = start_subscription(
            session,
            contact=payment.contact,
            lines=lines,
            terms=StartTerms(
                start=plan.start,
                today=plan.today,
                trial_days=plan.trial_days,
                saved_method=saved_method,
            ),
            actor="buyer",
            locale=payment.locale,
            now=now,
            link=link,
            discount=discount,
            first_payment=payment if plan.charges_first_period else None,
            idempotency_key=attempt.key,
        )
        session.commit()
    except StartError:
        session.rollback()
        logger.exception(
            "subscription of payment %s on link %s did not start", payment.id, link.id
        )
        return None
    logger.info("payment %s started subscription %s", payment.id, subscription.id)
    return subscription


def start_after_authentication(
    session: Session, processor: Processor, payment: Payment, now: datetime
) -> Subscription | None:
    """Save the method and start the subscription of a payment the buyer authenticated.

    The checkout form's consent, kept with the attempt, is what allows the
    method to be saved.
    """
    if payment.link is None or not recurring_items(payment.link):
        return None
    attempt = _attempt_of(session, payment)
    if attempt is None or payment.status not in STARTING_STATUSES:
        return None
    saved = None
    if attempt.form_data.get("save_payment_method") == "yes":
        customer = _checkout_customer(session, processor, payment, attempt)
        intent = processor.retrieve(payment.processor_ref)
        consent = Consent(text=consent_text(), client_address=attempt.client_address)
        saved = remember_method(
            session,
            processor,
            payment,
            intent,
            None,
            customer=customer,
            consent=consent,
        )
    return start_paid_subscription(
        session, payment, attempt, saved_method=saved, now=now
    )


def _checkout_customer(
    session: Session, processor: Processor, payment: Payment, attempt: CheckoutAttempt
) -> str:
    """Return the processor customer the checkout saved the method to.

    The customer is recorded only once a method is saved, so after an
    authentication step it is asked for again with the checkout's key, which
    gives back the customer made at submit.
    """
    customer = find_customer(session, processor, payment.contact.email)
    if customer is not None:
        return customer
    return processor.create_customer(
        email=payment.contact.email,
        name=payment.contact.name,
        idempotency_key=f"customer-checkout-{attempt.key}",
    )


@dataclass(frozen=True, slots=True)
class CardSave:
    """The outcome of saving a card without a charge: exactly one field is set."""

    saved: SavedMethodDetails | None = None
    # The SetupIntent, in requires_action, while the bank requires the buyer
    # to authenticate the card before Stripe saves it.
    pending: IntentResult | None = None


def save_card_now(
    processor: Processor,
    details: object,
    customer: str,
    attempt_key: str,
    currency: str,
) -> CardSave:
    """Save the buyer's card without charging it, for a subscription due later.

    Test mode saves the typed card at once. With Stripe the card comes from
    Stripe.js and is saved with a SetupIntent, which may first need the
    buyer to authenticate. Raises ``PaymentError`` for a bank account, which
    is saved only with a payment, and for a card that the processor declines.
    """
    key = f"checkout-{attempt_key}"
    if isinstance(details, PaymentMethodReference) and isinstance(
        processor, StripeProcessor
    ):
        result = processor.save_card(
            customer=customer, details=details, currency=currency, idempotency_key=key
        )
        if result.status is PaymentStatus.REQUIRES_ACTION:
            return CardSave(pending=result)
        if result.status is not PaymentStatus.SUCCEEDED:
            code = result.error_code or "card_declined"
            raise PaymentError(payment_error_message(code), code=code)
        return CardSave(saved=processor.saved_method_details(result.payment_method_id))
    if not isinstance(details, CardDetails):
        raise PaymentError(
            _("Pay with a card: a bank account can be saved only with a payment."),
            code="card_required",
        )
    try:
        found = processor.save_card(
            customer=customer, details=details, idempotency_key=key
        )
    except AuthenticationRequired as waiting:
        # TODO: test mode offers no authentication step for a card saved
        # without a payment at checkout, so such a test card is rejected here.
        raise PaymentError(
            _(
                "This test card requires authentication, which test mode offers "
                "only when a payment is made. Use 4242 4242 4242 4242."
            ),
            code=waiting.code,
        ) from None
    return CardSave(saved=found)


def subscription_of_payment(session: Session, payment: Payment) -> Subscription | None:
    """Return the subscription that the checkout of ``payment`` started, if any."""
    attempt = _attempt_of(session, payment)
    if attempt is None:
        return None
    return session.scalars(
        select(Subscription).where(Subscription.idempotency_key == attempt.key)
    ).first()


def _attempt_of(session: Session, payment: Payment) -> CheckoutAttempt | None:
    return session.scalars(
        select(CheckoutAttempt).where(CheckoutAttempt.payment_id == payment.id)
    ).first()


def _timezone(session: Session) -> str:
    business = get_business(session)
    return business.timezone if business is not None else "UTC"
