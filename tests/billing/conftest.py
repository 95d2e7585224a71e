"""A business, a customer with a saved test card, and subscriptions to bill."""

import secrets
from datetime import date

import pytest
from sqlalchemy import select

from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.models import (
    BillingFrequency,
    CollectionMethod,
    Contact,
    NetTerms,
    Payment,
    Price,
    PriceKind,
    ProcessorCustomer,
    Product,
    SavedPaymentMethod,
    Subscription,
    SubscriptionPeriod,
    TaxRate,
)
from portal.processors.base import CardDetails
from portal.processors.testmode import AuthenticationRequired
from portal.subscriptions.starting import StartLine, StartTerms, start_subscription
from tests.factories import make_business

VISA = "4242424242424242"
# Paid at checkout, declined on every later charge.
DECLINED_LATER = "4000000000000341"
# Asks for authentication on every charge.
AUTHENTICATES = "4000002760003184"


@pytest.fixture
def business(db):
    business = make_business(db, accepted_currencies=["JPY"])
    db.commit()
    return business


@pytest.fixture
def contact(db, business) -> Contact:
    contact = upsert_contact(
        db, ContactDetails(email="aino@example.com", name="Aino Virtanen")
    )
    db.commit()
    return contact


@pytest.fixture
def processor(app):
    return app.extensions["kassa.processor"]


def save_card(db, processor, contact: Contact, number: str) -> SavedPaymentMethod:
    """Save a test card for ``contact`` as a checkout would, and commit."""
    customer_ref = processor.create_customer(
        email=contact.email, name=contact.name, idempotency_key=f"contact-{contact.id}"
    )
    try:
        found = processor.save_card(
            customer=customer_ref,
            details=CardDetails(number=number, exp_month=12, exp_year=2040, cvc="123"),
            idempotency_key=secrets.token_hex(8),
        )
    except AuthenticationRequired as required:
        # A card that requires authentication is saved once the customer approves.
        found = processor.complete_setup(required.setup_id, approved=True)
    customer = db.scalars(
        select(ProcessorCustomer).where(ProcessorCustomer.customer_ref == customer_ref)
    ).first() or ProcessorCustomer(
        contact=contact, processor="test", live_mode=False, customer_ref=customer_ref
    )
    method = SavedPaymentMethod(
        customer=customer,
        processor_ref=found.id,
        kind=found.kind,
        brand=found.brand,
        last4=found.last4,
        exp_month=found.exp_month,
        exp_year=found.exp_year,
        consent_text="I agree to be charged for later periods.",
        consented_at=now_utc(),
    )
    db.add(method)
    db.commit()
    return method


def recurring_price(
    db,
    unit_amount: int,
    frequency: BillingFrequency = BillingFrequency.MONTHLY,
    currency: str = "EUR",
    name: str = "Studio membership",
) -> Price:
    price = Price(
        product=Product(name=name),
        currency=currency,
        unit_amount=unit_amount,
        kind=PriceKind.RECURRING,
        frequency=frequency,
    )
    db.add(price)
    db.flush()
    return price


def subscribe(
    db,
    contact: Contact,
    *,
    start: date,
    unit_amount: int = 1900,
    frequency: BillingFrequency = BillingFrequency.MONTHLY,
    currency: str = "EUR",
    quantity: int = 1,
    today: date | None = None,
    trial_days: int | None = None,
    saved_method: SavedPaymentMethod | None = None,
    collection: CollectionMethod = CollectionMethod.AUTOMATIC,
    net_terms: NetTerms | None = None,
    tax_rate: TaxRate | None = None,
    discount=None,
) -> Subscription:
    """Start a subscription through the product's own start, and commit."""
    price = recurring_price(db, unit_amount, frequency, currency)
    subscription = start_subscription(
        db,
        contact=contact,
        lines=[StartLine(price=price, quantity=quantity, tax_rate=tax_rate)],
        terms=StartTerms(
            start=start,
            today=today or start,
            trial_days=trial_days,
            collection=collection,
            saved_method=saved_method,
            net_terms=net_terms,
        ),
        actor="staff:1",
        locale="en",
        now=now_utc(),
        discount=discount,
    )
    db.commit()
    return subscription


def periods_of(db, subscription: Subscription) -> list[SubscriptionPeriod]:
    db.expire_all()
    return list(
        db.scalars(
            select(SubscriptionPeriod)
            .where(SubscriptionPeriod.subscription_id == subscription.id)
            .order_by(SubscriptionPeriod.index)
        )
    )


def payments_of(db, subscription: Subscription) -> list[Payment]:
    db.expire_all()
    return list(
        db.scalars(
            select(Payment)
            .where(Payment.contact_id == subscription.contact_id)
            .order_by(Payment.id)
        )
    )
