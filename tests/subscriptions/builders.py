"""Subscriptions with billed periods, written straight to the tables for tests.

``make_subscription`` adds a subscription of one recurring price with the
periods a test lists, each paid by a given payment or left in a given
status. Tests of later changes then do not depend on the billing run.
Amounts are minor units.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.billing.schedule import billing_date
from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.models import (
    BillingFrequency,
    Contact,
    NetTerms,
    Order,
    OrderLine,
    OrderLineKind,
    Payment,
    Price,
    PriceKind,
    ProcessorCustomer,
    Product,
    SavedPaymentMethod,
)
from portal.models.subscriptions import (
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionItem,
    SubscriptionPeriod,
    SubscriptionStatus,
)

CUSTOMER_EMAIL = "aino@example.com"


@dataclass(frozen=True, slots=True)
class PeriodSpec:
    index: int
    status: PeriodStatus = PeriodStatus.PAID
    payment_id: int | None = None  # the payment that paid the period


def make_recurring_price(
    session: Session,
    name: str,
    unit_amount: int,
    *,
    currency: str = "EUR",
    frequency: BillingFrequency = BillingFrequency.MONTHLY,
) -> Price:
    price = Price(
        product=Product(name=name),
        currency=currency,
        unit_amount=unit_amount,
        kind=PriceKind.RECURRING,
        frequency=frequency,
    )
    session.add(price)
    session.flush()
    return price


def make_contact(session: Session, email: str = CUSTOMER_EMAIL) -> Contact:
    contact = upsert_contact(session, ContactDetails(email=email, name="Aino Virtanen"))
    session.flush()
    return contact


def make_saved_method(
    session: Session,
    contact: Contact,
    *,
    customer_ref: str,
    method_ref: str,
    brand: str = "visa",
    last4: str = "4242",
) -> SavedPaymentMethod:
    """Record a saved card of ``contact`` under processor references that exist."""
    customer = ProcessorCustomer(
        contact=contact, processor="test", live_mode=False, customer_ref=customer_ref
    )
    method = SavedPaymentMethod(
        customer=customer,
        processor_ref=method_ref,
        kind="card",
        brand=brand,
        last4=last4,
        exp_month=12,
        exp_year=2040,
        consent_text="I agree to be charged for later periods.",
        consented_at=now_utc(),
    )
    session.add(method)
    session.flush()
    return method


def make_subscription(
    session: Session,
    price: Price,
    *,
    contact: Contact | None = None,
    quantity: int = 1,
    anchor: date,
    periods: Sequence[PeriodSpec] = (),
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    collection: CollectionMethod = CollectionMethod.AUTOMATIC,
    saved_method: SavedPaymentMethod | None = None,
    net_terms: NetTerms | None = None,
) -> Subscription:
    """Add a subscription of ``quantity`` x ``price`` billed from ``anchor``.

    The next period to bill follows the last listed period.
    """
    contact = contact or make_contact(session)
    frequency = price.frequency
    next_period = max((spec.index for spec in periods), default=-1) + 1
    subscription = Subscription(
        token=secrets.token_urlsafe(24),
        contact=contact,
        status=status,
        collection=collection,
        currency=price.currency,
        frequency=frequency,
        start_date=anchor,
        anchor_date=anchor,
        next_period=next_period,
        next_billing_date=billing_date(anchor, frequency, next_period),
        saved_method=saved_method,
        net_terms=net_terms
        or (NetTerms.NET_30 if collection is CollectionMethod.INVOICE else None),
        created_by="staff:1",
        locale="en",
    )
    subscription.items.append(
        SubscriptionItem(
            position=0,
            price=price,
            description=price.product.name,
            quantity=quantity,
            unit_amount=price.unit_amount,
        )
    )
    session.add(subscription)
    total = price.unit_amount * quantity
    for spec in periods:
        payment = session.get(Payment, spec.payment_id) if spec.payment_id else None
        subscription.periods.append(
            SubscriptionPeriod(
                index=spec.index,
                starts_on=billing_date(anchor, frequency, spec.index),
                ends_on=billing_date(anchor, frequency, spec.index + 1),
                status=spec.status,
                currency=price.currency,
                amount=total,
                order=payment.order if payment else _order(price, quantity),
                payment=payment,
                paid_at=now_utc() if spec.status is PeriodStatus.PAID else None,
            )
        )
    session.flush()
    return subscription


def _order(price: Price, quantity: int) -> Order:
    total = price.unit_amount * quantity
    order = Order(
        currency=price.currency,
        subtotal=total,
        discount_total=0,
        fee_total=0,
        tax_total=0,
        total=total,
    )
    order.lines.append(
        OrderLine(
            position=0,
            kind=OrderLineKind.ITEM,
            description=price.product.name,
            price_id=price.id,
            quantity=quantity,
            unit_amount=price.unit_amount,
            gross=total,
            total=total,
        )
    )
    return order
