"""Subscribing again to the items of a canceled subscription.

The new subscription starts today, by the real time and the business's time
zone. A test clock belongs to the canceled subscription only, so the new
one's own clock starts empty. Its first period is billed at once by the
billing run's ``bill_subscription``, as for a subscription staff start, so
the customer pays before the service starts again.

It is charged to a saved card only when that card is still saved and was
not the one whose payments failed. Otherwise the customer must give a new
card first: ``PaymentMethodNeeded`` is raised and nothing is saved.
"""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.businesses import get_business
from portal.invoices.status import local_today
from portal.models import NetTerms, SavedPaymentMethod
from portal.models.subscriptions import (
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.processors.base import Processor
from portal.subscriptions.actions import lock_subscription, record_action
from portal.subscriptions.errors import SubscriptionError, SubscriptionStateError
from portal.subscriptions.staff_start import bill_first_period
from portal.subscriptions.starting import StartLine, StartTerms, start_subscription

logger = logging.getLogger(__name__)

# Statuses of a period whose charge to the saved method did not succeed.
UNPAID_PERIODS = (
    PeriodStatus.FAILED,
    PeriodStatus.REQUIRES_ACTION,
    PeriodStatus.UNCOLLECTIBLE,
)


class PaymentMethodNeeded(SubscriptionError):
    """Subscribing again needs a new card, because the saved one failed or is gone."""


def usable_saved_method(subscription: Subscription) -> SavedPaymentMethod | None:
    """Return the saved method a new subscription may charge, or None.

    None when the method was removed, or when the last billed period of
    ``subscription`` was not paid, because its charges to that method failed.
    """
    method = subscription.saved_method
    if method is None or method.removed_at is not None:
        return None
    billed = [
        period
        for period in subscription.periods
        if period.status is not PeriodStatus.VOID
    ]
    if billed and max(billed, key=lambda period: period.index).status in (
        UNPAID_PERIODS
    ):
        return None
    return method


def needs_new_method(subscription: Subscription) -> bool:
    """Tell whether subscribing again to ``subscription`` needs a new card first."""
    return (
        subscription.collection is CollectionMethod.AUTOMATIC
        and usable_saved_method(subscription) is None
    )


def resubscribe(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    saved_method: SavedPaymentMethod | None = None,
    processor: Processor | None = None,
    client_address: str | None = None,
) -> Subscription:
    """Start a new subscription to the canceled one's items and bill its first period.

    ``saved_method`` is a card the customer just saved for it. Without one,
    an automatically collected subscription charges its saved card. When that
    card may not be charged, ``PaymentMethodNeeded`` is raised. An invoiced one
    is invoiced again with its net terms. A canceled subscription is
    resubscribed once: calling again returns the same new subscription and
    bills nothing more. Commits. Needs an app context for the processor and
    the emails.
    """
    key = resubscribe_key(subscription)
    existing = _started(session, key)
    if existing is not None:
        return existing
    lock_subscription(session, subscription)
    if subscription.status is not SubscriptionStatus.CANCELED:
        raise SubscriptionStateError(
            f"Subscription {subscription.id} is {subscription.status.value}; only "
            "a canceled subscription can be resubscribed."
        )
    existing = _started(session, key)
    if existing is not None:
        session.commit()
        return existing

    today = local_today(now, get_business(session).timezone)
    started = start_subscription(
        session,
        contact=subscription.contact,
        lines=[
            StartLine(
                price=item.price,
                quantity=item.quantity,
                description=item.description,
                tax_rate=item.tax_rate,
            )
            for item in subscription.items
        ],
        terms=_terms(subscription, saved_method, today),
        actor=actor,
        locale=subscription.locale,
        now=now,
        link=subscription.link,
        discount=subscription.discount,
        idempotency_key=key,
    )
    record_action(
        session,
        subscription,
        "subscription.resubscribed",
        actor=actor,
        client_address=client_address,
        details={"subscription": str(started.id)},
    )
    session.commit()
    logger.info("subscription %s resubscribed as %s", subscription.id, started.id)
    bill_first_period(session, started, today, processor)
    return started


def resubscribe_key(subscription: Subscription) -> str:
    """Return the idempotency key of the subscription that replaces ``subscription``."""
    return f"resubscribe-{subscription.id}"


def _started(session: Session, key: str) -> Subscription | None:
    return session.scalars(
        select(Subscription).where(Subscription.idempotency_key == key)
    ).first()


def _terms(
    subscription: Subscription,
    saved_method: SavedPaymentMethod | None,
    today,
) -> StartTerms:
    """Choose how the new subscription is paid; raise when a new card is needed."""
    if saved_method is not None:
        _check_method(subscription, saved_method)
        return StartTerms(start=today, today=today, saved_method=saved_method)
    if subscription.collection is CollectionMethod.INVOICE:
        return StartTerms(
            start=today,
            today=today,
            collection=CollectionMethod.INVOICE,
            net_terms=subscription.net_terms or NetTerms.NET_30,
        )
    method = usable_saved_method(subscription)
    if method is None:
        raise PaymentMethodNeeded(
            f"Subscription {subscription.id} has no saved card that may be "
            "charged again. Save a new card to subscribe again.",
            "saved_method",
        )
    return StartTerms(start=today, today=today, saved_method=method)


def _check_method(subscription: Subscription, method: SavedPaymentMethod) -> None:
    if method.customer.contact_id != subscription.contact_id:
        raise SubscriptionError(
            "That payment method belongs to another customer. Choose one saved "
            "for this subscription's contact.",
            "saved_method",
        )
    if method.removed_at is not None:
        raise SubscriptionError(
            "That payment method was removed. Choose another one.", "saved_method"
        )
