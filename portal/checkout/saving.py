"""Saving the buyer's payment method, with their consent, for later charges.

An order with a recurring price is billed again later, so its checkout needs
the buyer to agree that their payment method is saved. The payment then
names the contact's customer at the processor (a Stripe Customer, or the
test-mode processor's stand-in) and asks the processor to keep the method for
off-session charges, and the method is recorded here with the words the
buyer agreed to.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.database import now_utc
from portal.models import (
    Contact,
    Payment,
    PaymentLink,
    PaymentStatus,
    PriceKind,
    ProcessorCustomer,
    SavedPaymentMethod,
)
from portal.processors.base import (
    IntentResult,
    PaymentDetails,
    Processor,
    SavedMethodDetails,
)

logger = logging.getLogger(__name__)


def saves_payment_method(link: PaymentLink | None) -> bool:
    """Tell whether paying ``link`` saves the payment method for later charges."""
    if link is None:
        return False
    return any(item.price.kind is PriceKind.RECURRING for item in link.items)


@dataclass(frozen=True, slots=True)
class Consent:
    """The buyer's agreement to have their payment method saved."""

    text: str  # the words shown next to the checkbox, in the buyer's language
    client_address: str | None


def payment_options(
    session: Session,
    processor: Processor,
    *,
    email: str,
    name: str | None,
    consent: Consent | None,
    idempotency_key: str,
) -> dict[str, object]:
    """Return the extra arguments of ``create_payment`` that save the method.

    Empty unless the buyer consented. The contact's customer at the processor
    is reused, or created with ``idempotency_key``.
    """
    if consent is None:
        return {}
    customer = find_customer(session, processor, email)
    if customer is None:
        customer = processor.create_customer(
            email=email, name=name, idempotency_key=f"customer-{idempotency_key}"
        )
    return {"customer": customer, "save_method": True}


def find_customer(session: Session, processor: Processor, email: str) -> str | None:
    """Return the processor's customer of the contact with ``email`` in this mode."""
    return session.scalar(
        select(ProcessorCustomer.customer_ref)
        .join(Contact, Contact.id == ProcessorCustomer.contact_id)
        .where(
            Contact.email == email.strip().lower(),
            ProcessorCustomer.processor == processor.name,
            ProcessorCustomer.live_mode.is_(processor.live_mode),
        )
    )


def remember_method(
    session: Session,
    processor: Processor,
    payment: Payment,
    intent: IntentResult,
    details: PaymentDetails,
    *,
    customer: str,
    consent: Consent,
) -> SavedPaymentMethod | None:
    """Record the saved method of a payment that went through, and commit.

    A declined payment saves nothing. A failure here is logged and leaves the
    payment as it is: the processor keeps the method on the customer either
    way.
    """
    if intent.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING):
        return None
    method_id = intent.payment_method_id or getattr(details, "id", None)
    if method_id is None:
        logger.warning("payment %s saved no payment method", payment.id)
        return None
    return _store_and_commit(
        session,
        processor,
        payment,
        lambda: processor.saved_method_details(method_id),
        customer,
        consent,
    )


def remember_saved_card(
    session: Session,
    processor: Processor,
    payment: Payment,
    found: SavedMethodDetails,
    *,
    customer: str,
    consent: Consent,
) -> SavedPaymentMethod | None:
    """Record a card saved without a charge for ``payment``'s contact, and commit.

    A failure here is logged and leaves the payment as it is.
    """
    return _store_and_commit(
        session, processor, payment, lambda: found, customer, consent
    )


def _store_and_commit(
    session: Session,
    processor: Processor,
    payment: Payment,
    find_details: Callable[[], SavedMethodDetails],
    customer_ref: str,
    consent: Consent,
) -> SavedPaymentMethod | None:
    """Store the method that ``find_details`` reads, and commit.

    A failure, in ``find_details`` or in storing, is logged and rolled back,
    and None is returned.
    """
    try:
        found = find_details()
        saved = _store(session, processor, payment, found, customer_ref, consent)
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("saving the payment method of payment %s failed", payment.id)
        return None
    logger.info("saved payment method %s for contact %s", saved.id, payment.contact_id)
    return saved


def _store(
    session: Session,
    processor: Processor,
    payment: Payment,
    found: SavedMethodDetails,
    customer_ref: str,
    consent: Consent,
) -> SavedPaymentMethod:
    customer = session.scalars(
        select(ProcessorCustomer).where(ProcessorCustomer.customer_ref == customer_ref)
    ).first()
    if customer is None:
        customer = ProcessorCustomer(
            contact_id=payment.contact_id,
            processor=processor.name,
            live_mode=processor.live_mode,
            customer_ref=customer_ref,
        )
        session.add(customer)
    saved = session.scalars(
        select(SavedPaymentMethod).where(SavedPaymentMethod.processor_ref == found.id)
    ).first()
    if saved is None:
        saved = SavedPaymentMethod(processor_ref=found.id, customer=customer)
        session.add(saved)
    saved.kind = found.kind
    saved.brand = found.brand
    saved.last4 = found.last4
    saved.exp_month = found.exp_month
    saved.exp_year = found.exp_year
    saved.consent_text = consent.text
    saved.consented_at = now_utc()
    saved.consent_address = consent.client_address
    saved.removed_at = None
    session.flush()
    return saved
