"""Changing a subscription's price or quantity in the middle of a period.

The proration rule is written down in ``portal.subscriptions.proration``; the
net is settled by ``portal.subscriptions.net_charges``.
"""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Price, PriceKind
from portal.models.subscriptions import (
    PeriodStatus,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from portal.processors.base import Processor
from portal.subscriptions.actions import (
    lock_subscription,
    record_action,
    state_hint,
    subscription_now,
    subscription_today,
)
from portal.subscriptions.errors import SubscriptionError, SubscriptionStateError
from portal.subscriptions.net_charges import collect_net, send_net_charge_emails
from portal.subscriptions.proration import (
    ITEMS_CHANGED_ACTION,
    ItemPrice,
    Proration,
    current_period,
    no_proration,
    paid_for_period,
    price_items,
    prorate,
)

logger = logging.getLogger(__name__)

MAX_QUANTITY = 10_000
CHANGEABLE = (
    SubscriptionStatus.SCHEDULED,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
)


def change_items(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    price_id: int,
    quantity: int,
    item_id: int | None = None,
    processor: Processor | None = None,
    client_address: str | None = None,
) -> Proration:
    """Change an item's price or quantity, prorating the current period, and commit.

    ``item_id`` names the item to change; by default the first. The new
    price is a recurring price in the subscription's currency and frequency.
    The proration rule is in ``portal.subscriptions.proration``. Repeating
    the same change returns a proration with nothing credited or charged.
    Raises ``ChargeDeclined`` when the net charge is declined; nothing
    changes then.
    """
    lock_subscription(session, subscription)
    _check_changeable(session, subscription)
    item = _item(subscription, item_id)
    price = _new_price(session, subscription, price_id)
    _check_quantity(quantity)
    old_totals = price_items(subscription, subscription.items)
    if item.price_id == price.id and item.quantity == quantity:
        session.commit()
        return no_proration(subscription.currency, old_totals.total, old_totals.total)

    new_items = [
        ItemPrice(
            description=_price_description(price)
            if other is item
            else other.description,
            unit_amount=price.unit_amount if other is item else other.unit_amount,
            quantity=quantity if other is item else other.quantity,
            tax_rate=other.tax_rate,
        )
        for other in subscription.items
    ]
    new_totals = price_items(subscription, new_items)
    proration = _prorate_change(
        session, subscription, now, old_totals.total, new_totals.total
    )
    before = {"price": str(item.price_id), "quantity": str(item.quantity)}
    proration = collect_net(
        session,
        subscription,
        proration,
        description=_price_description(price),
        actor=actor,
        now=subscription_now(subscription, now),
        processor=processor,
        client_address=client_address,
    )
    item.price_id = price.id
    item.price = price
    item.unit_amount = price.unit_amount
    item.description = _price_description(price)
    item.quantity = quantity
    details = {
        "item": str(item.id),
        "from_price": before["price"],
        "from_quantity": before["quantity"],
        "to_price": str(price.id),
        "to_quantity": str(quantity),
        **_proration_details(proration),
    }
    record_action(
        session,
        subscription,
        ITEMS_CHANGED_ACTION,
        actor=actor,
        client_address=client_address,
        details=details,
    )
    session.commit()
    logger.info("subscription %s items changed", subscription.id)
    send_net_charge_emails(session, proration)
    return proration


def _check_changeable(session: Session, subscription: Subscription) -> None:
    if subscription.status in CHANGEABLE:
        return
    raise SubscriptionStateError(
        f"Subscription {subscription.id} is {subscription.status.value}; only a "
        "scheduled, trialing or active subscription can change its items."
        + state_hint(subscription)
    )


def _item(subscription: Subscription, item_id: int | None) -> SubscriptionItem:
    if not subscription.items:
        raise SubscriptionError(f"Subscription {subscription.id} has no items.")
    if item_id is None:
        return subscription.items[0]
    for item in subscription.items:
        if item.id == item_id:
            return item
    raise SubscriptionError(
        f"Item {item_id} is not part of subscription {subscription.id}. Choose one "
        "of its items.",
        "item_id",
    )


def _new_price(session: Session, subscription: Subscription, price_id: int) -> Price:
    price = session.get(Price, price_id)
    if price is None or not price.active:
        raise SubscriptionError(
            "That price was not found or is archived. Choose an active price.",
            "price_id",
        )
    if price.kind is not PriceKind.RECURRING:
        raise SubscriptionError(
            "That price is charged once. Choose a recurring price.", "price_id"
        )
    if price.currency != subscription.currency:
        raise SubscriptionError(
            f"That price is in {price.currency}, but the subscription is billed in "
            f"{subscription.currency}. Choose a price in {subscription.currency}.",
            "price_id",
        )
    if price.frequency != subscription.frequency:
        raise SubscriptionError(
            f"That price is billed {price.frequency.value}, but the subscription is "
            f"billed {subscription.frequency.value}. Choose a price with the same "
            "billing frequency.",
            "price_id",
        )
    return price


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise SubscriptionError(
            f"Quantity {quantity} is out of range. Enter a whole number from 1 to "
            f"{MAX_QUANTITY}.",
            "quantity",
        )


def _prorate_change(
    session: Session,
    subscription: Subscription,
    now: datetime,
    old_amount: int,
    new_amount: int,
) -> Proration:
    """Return the proration of the change, or none outside a billed period."""
    if subscription.status is not SubscriptionStatus.ACTIVE:
        return no_proration(subscription.currency, old_amount, new_amount)
    today = subscription_today(session, subscription, now)
    period = current_period(subscription, today)
    if period is None:
        return no_proration(subscription.currency, old_amount, new_amount)
    if period.status is not PeriodStatus.PAID:
        raise SubscriptionStateError(
            f"The bill of the current period is {period.status.value}. Change the "
            "subscription once that bill is paid, or cancel it."
        )
    return prorate(
        currency=subscription.currency,
        period_index=period.index,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        today=today,
        old_amount=old_amount,
        new_amount=new_amount,
        paid=paid_for_period(session, period),
    )


def _proration_details(proration: Proration) -> dict[str, str]:
    if proration.period_index is None:
        return {}
    details = {
        "period_index": str(proration.period_index),
        "days_unused": str(proration.days_unused),
        "days_total": str(proration.days_total),
        "credit": str(proration.credit),
        "charge": str(proration.charge),
        "net": str(proration.net),
        "currency": proration.currency,
    }
    if proration.payment_id is not None:
        details["payment"] = str(proration.payment_id)
    if proration.invoice_id is not None:
        details["invoice"] = str(proration.invoice_id)
    if proration.credited:
        details["credited"] = str(proration.credited)
    return details


def _price_description(price: Price) -> str:
    return price.product.name[:300]
