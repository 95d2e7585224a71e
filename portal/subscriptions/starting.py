"""Starting a subscription, from a paid checkout, an accepted quote or staff.

The first billing date is the anchor: the start date, or the end of the trial
when there is one. When the checkout already charged the first period, that
payment is recorded as period 0 and the next bill is period 1.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.billing.schedule import billing_date
from portal.models import (
    BillingFrequency,
    CollectionMethod,
    Contact,
    Discount,
    NetTerms,
    Payment,
    PaymentLink,
    PaymentStatus,
    PeriodStatus,
    Price,
    PriceKind,
    SavedPaymentMethod,
    Subscription,
    SubscriptionItem,
    SubscriptionPeriod,
    SubscriptionStatus,
    TaxRate,
)
from portal.models.subscriptions import MAX_ITEM_QUANTITY

logger = logging.getLogger(__name__)


class StartError(ValueError):
    """A subscription that cannot start as requested; the message states what to fix."""


@dataclass(frozen=True, slots=True)
class StartLine:
    """One recurring price to subscribe to."""

    price: Price
    quantity: int = 1
    description: str | None = None  # the product's name when None
    tax_rate: TaxRate | None = None


@dataclass(frozen=True, slots=True)
class StartTerms:
    """When the subscription starts and how it is paid."""

    start: date  # in the business's time zone
    today: date  # the business's today, to tell a future start
    trial_days: int | None = None
    collection: CollectionMethod = CollectionMethod.AUTOMATIC
    saved_method: SavedPaymentMethod | None = None
    net_terms: NetTerms | None = None  # for invoice collection


def start_subscription(
    session: Session,
    *,
    contact: Contact,
    lines: list[StartLine],
    terms: StartTerms,
    actor: str,
    locale: str,
    now: datetime,
    link: PaymentLink | None = None,
    discount: Discount | None = None,
    first_payment: Payment | None = None,
    idempotency_key: str | None = None,
) -> Subscription:
    """Create a subscription and flush it; the caller commits.

    ``first_payment`` is the checkout's payment when it charged the first
    period; it is only taken as that when the subscription starts today
    without a trial. A repeated ``idempotency_key`` returns the subscription
    made the first time.
    """
    if idempotency_key is not None:
        existing = session.scalars(
            select(Subscription).where(Subscription.idempotency_key == idempotency_key)
        ).first()
        if existing is not None:
            return existing
    currency, frequency = _check_lines(lines)
    _check_terms(terms)

    trial_end = None
    if terms.trial_days:
        trial_end = terms.start + timedelta(days=terms.trial_days)
    anchor = trial_end or terms.start
    subscription = Subscription(
        token=secrets.token_urlsafe(32),
        contact=contact,
        status=_first_status(terms),
        collection=terms.collection,
        currency=currency,
        frequency=frequency,
        start_date=terms.start,
        trial_end=trial_end,
        anchor_date=anchor,
        next_period=0,
        saved_method=terms.saved_method,
        net_terms=terms.net_terms,
        link=link,
        discount=discount,
        credit_balance=0,
        locale=locale,
        created_by=actor,
        idempotency_key=idempotency_key,
        created_at=now,
        updated_at=now,
    )
    for position, line in enumerate(lines):
        subscription.items.append(
            SubscriptionItem(
                position=position,
                price=line.price,
                description=line.description or line.price.product.name,
                quantity=line.quantity,
                unit_amount=line.price.unit_amount,
                tax_rate=line.tax_rate,
            )
        )
    if first_payment is not None and anchor == terms.today:
        _record_first_period(subscription, first_payment, now)
    subscription.next_billing_date = billing_date(
        anchor, frequency, subscription.next_period
    )
    session.add(subscription)
    session.flush()
    audit.record(
        session,
        subject_type="subscription",
        subject_id=subscription.id,
        action="subscription_started",
        actor=actor,
        to_state=subscription.status.value,
        details={"frequency": frequency.value, "anchor_date": anchor.isoformat()},
    )
    logger.info("subscription %s started", subscription.id)
    return subscription


def _check_lines(lines: list[StartLine]) -> tuple[str, BillingFrequency]:
    if not lines:
        raise StartError("Add at least one recurring price.")
    for line in lines:
        if line.price.kind is not PriceKind.RECURRING or line.price.frequency is None:
            raise StartError("Only recurring prices can be subscribed to.")
        if not 1 <= line.quantity <= MAX_ITEM_QUANTITY:
            raise StartError(
                f"Quantity {line.quantity} is out of range. Enter a whole number "
                f"from 1 to {MAX_ITEM_QUANTITY}."
            )
    currencies = {line.price.currency for line in lines}
    frequencies = {line.price.frequency for line in lines}
    if len(currencies) > 1:
        raise StartError("All prices of a subscription must use one currency.")
    if len(frequencies) > 1:
        raise StartError("All prices of a subscription must recur equally often.")
    return currencies.pop(), frequencies.pop()


def _check_terms(terms: StartTerms) -> None:
    if terms.start < terms.today:
        raise StartError("Choose a start date of today or later.")
    if terms.trial_days is not None and terms.trial_days < 1:
        raise StartError("Enter a trial of 1 day or more, or no trial.")
    if terms.collection is CollectionMethod.INVOICE and terms.net_terms is None:
        raise StartError("Choose the payment terms of the subscription's invoices.")


def _first_status(terms: StartTerms) -> SubscriptionStatus:
    if terms.start > terms.today:
        return SubscriptionStatus.SCHEDULED
    if terms.trial_days:
        return SubscriptionStatus.TRIALING
    return SubscriptionStatus.ACTIVE


def _record_first_period(
    subscription: Subscription, payment: Payment, now: datetime
) -> None:
    """Record the checkout's payment as period 0.

    The period's amount is what the recurring lines cost, without one-time
    items or fees bought with it, so that a later credit for unused time
    never counts what was not paid for the period.
    """
    recurring = {item.price.id for item in subscription.items}
    amount = sum(
        line.total for line in payment.order.items if line.price_id in recurring
    )
    succeeded = payment.status is PaymentStatus.SUCCEEDED
    subscription.periods.append(
        SubscriptionPeriod(
            index=0,
            starts_on=subscription.anchor_date,
            ends_on=billing_date(subscription.anchor_date, subscription.frequency, 1),
            status=PeriodStatus.PAID if succeeded else PeriodStatus.PROCESSING,
            currency=payment.currency,
            amount=min(amount, payment.amount),
            credit_applied=0,
            order=payment.order,
            payment=payment,
            attempts=1,
            paid_at=now if succeeded else None,
            created_at=now,
        )
    )
    subscription.next_period = 1
