"""Saving a new payment method for a subscription and switching to it.

Test mode saves the card through the test processor's ``save_card``. Stripe
saves it with a SetupIntent that Stripe.js confirms in the browser, so the
server receives only the SetupIntent's id. Either way the new method is recorded
with the customer's consent, the subscription charges it from then on, and
the old method is marked removed unless another subscription still uses it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Contact,
    ProcessorCustomer,
    SavedPaymentMethod,
    Subscription,
    SubscriptionStatus,
)
from portal.processors.base import CardDetails, PaymentError, Processor
from portal.processors.stripe.adapter import SavedMethodDetails, SetupResult
from portal.subscriptions.lifecycle import replace_payment_method

logger = logging.getLogger(__name__)

ACTOR = "buyer"


@dataclass(frozen=True, slots=True)
class Consent:
    """The customer's agreement to have the new method charged for renewals."""

    text: str
    client_address: str | None


def processor_customer(
    session: Session, processor: Processor, contact: Contact, idempotency_key: str
) -> ProcessorCustomer:
    """Return the contact's customer at the processor, creating it on first use."""
    customer = session.scalars(
        select(ProcessorCustomer).where(
            ProcessorCustomer.contact_id == contact.id,
            ProcessorCustomer.processor == processor.name,
            ProcessorCustomer.live_mode.is_(processor.live_mode),
        )
    ).first()
    if customer is not None:
        return customer
    reference = processor.create_customer(
        email=contact.email,
        name=contact.name,
        idempotency_key=f"customer-{idempotency_key}",
    )
    customer = ProcessorCustomer(
        contact_id=contact.id,
        processor=processor.name,
        live_mode=processor.live_mode,
        customer_ref=reference,
    )
    session.add(customer)
    session.flush()
    return customer


def save_test_card(
    session: Session,
    processor: Processor,
    contact: Contact,
    card: CardDetails,
    *,
    consent: Consent,
    idempotency_key: str,
    now: datetime,
) -> SavedPaymentMethod:
    """Save a card through the test processor; raises ``PaymentError`` on a decline.

    The same ``idempotency_key`` saves the same card once.
    """
    customer = processor_customer(session, processor, contact, idempotency_key)
    found = processor.save_card(
        customer=customer.customer_ref,
        details=card,
        idempotency_key=f"account-card-{idempotency_key}",
    )
    return _record(session, customer, found, consent, now)


def finish_test_authentication(
    session: Session,
    processor: Processor,
    contact: Contact,
    setup_id: str,
    *,
    approved: bool,
    consent: Consent,
    now: datetime,
) -> SavedPaymentMethod:
    """Record a test card once its authentication step is approved.

    The test processor kept the card unsaved behind ``setup_id`` because it
    asks for authentication. Raises ``PaymentError`` when it failed.
    """
    found = processor.complete_setup(setup_id, approved=approved)
    customer = processor_customer(session, processor, contact, setup_id)
    return _record(session, customer, found, consent, now)


def start_setup(
    session: Session,
    processor: Processor,
    contact: Contact,
    idempotency_key: str,
    *,
    open_setup_id: str | None = None,
) -> SetupResult:
    """Return the Stripe SetupIntent that the browser confirms with the new card.

    The SetupIntent ``open_setup_id``, from an earlier visit, is reused while
    it belongs to the contact and still waits for a card, so that reloading
    the page does not leave one abandoned SetupIntent per visit. Otherwise a
    new one is created.
    """
    customer = processor_customer(session, processor, contact, idempotency_key)
    session.commit()
    if open_setup_id is not None:
        found = processor.open_setup_intent(
            open_setup_id, customer=customer.customer_ref
        )
        if found is not None:
            return found
    return processor.create_setup_intent(
        customer=customer.customer_ref,
        payment_method_types=["card"],
        idempotency_key=f"account-setup-{idempotency_key}",
    )


def finish_setup(
    session: Session,
    processor: Processor,
    contact: Contact,
    setup_intent_id: str,
    *,
    consent: Consent,
    idempotency_key: str,
    now: datetime,
) -> SavedPaymentMethod:
    """Record the card of a SetupIntent that Stripe.js confirmed.

    Raises ``PaymentError`` while the SetupIntent has not succeeded.
    """
    setup = processor.retrieve_setup_intent(setup_intent_id)
    if setup.status != "succeeded" or setup.payment_method_id is None:
        raise PaymentError(
            "The card was not saved. Enter it again.", code="setup_incomplete"
        )
    customer = processor_customer(session, processor, contact, idempotency_key)
    found = processor.saved_method_details(setup.payment_method_id)
    return _record(session, customer, found, consent, now)


def _record(
    session: Session,
    customer: ProcessorCustomer,
    found: SavedMethodDetails,
    consent: Consent,
    now: datetime,
) -> SavedPaymentMethod:
    saved = session.scalars(
        select(SavedPaymentMethod).where(SavedPaymentMethod.processor_ref == found.id)
    ).first()
    if saved is None:
        saved = SavedPaymentMethod(
            processor_ref=found.id,
            customer=customer,
            consent_text=consent.text,
            consented_at=now,
            consent_address=consent.client_address,
        )
        session.add(saved)
    saved.kind = found.kind
    saved.brand = found.brand
    saved.last4 = found.last4
    saved.exp_month = found.exp_month
    saved.exp_year = found.exp_year
    session.flush()
    return saved


def switch_method(
    session: Session,
    subscription: Subscription,
    saved: SavedPaymentMethod,
    *,
    now: datetime,
    client_address: str | None,
) -> Subscription:
    """Charge ``saved`` for the subscription and retire the old method. Commits."""
    previous = subscription.saved_method
    replace_payment_method(
        session,
        subscription,
        actor=ACTOR,
        now=now,
        saved_method=saved,
        client_address=client_address,
    )
    if (
        previous is not None
        and previous.id != saved.id
        and not _in_use(session, previous)
    ):
        previous.removed_at = now
        session.commit()
        logger.info("saved payment method %s marked removed", previous.id)
    return subscription


def _in_use(session: Session, method: SavedPaymentMethod) -> bool:
    """Tell whether a subscription that has not ended still charges ``method``."""
    count = session.scalar(
        select(func.count(Subscription.id)).where(
            Subscription.saved_method_id == method.id,
            Subscription.status != SubscriptionStatus.CANCELED,
        )
    )
    return count > 0
