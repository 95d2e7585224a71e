"""Changing a subscription's price or quantity in the middle of a period.

The proration rule is written down in ``portal.subscriptions.proration``; the
net is settled by ``portal.subscriptions.net_charges``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Price, PriceKind
from portal.models.subscriptions import (
    MAX_ITEM_QUANTITY,
    CollectionMethod,
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
from portal.subscriptions.net_charges import (
    charge_saved_method,
    collect_net,
    send_net_charge_emails,
)
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

CHANGEABLE = (
    SubscriptionStatus.SCHEDULED,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
)


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """A checked change of one item and its proration, not yet applied."""

    item_id: int
    from_price_id: int
    from_quantity: int
    price: Price
    quantity: int
    proration: Proration
    new_items: tuple[ItemPrice, ...]  # every item as it is after the change
    # The audit rows of earlier changes, counted into the charge's key.
    earlier_changes: int

    @property
    def charge_key(self) -> str:
        """Return the processor's idempotency key of this change's net charge.

        Two submits of the same change compute the same key, so the processor
        charges once; a later change of the same kind counts one more row.
        """
        return (
            f"proration-{self.proration.period_index}-{self.item_id}-"
            f"{self.from_price_id}x{self.from_quantity}-"
            f"{self.price.id}x{self.quantity}-{self.earlier_changes}"
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

    A net charge to the saved method is made between two transactions, so
    that no row lock is held during the processor call. The second checks
    that the item is still as planned before the change is applied.
    """
    plan = _plan(session, subscription, now, price_id, quantity, item_id)
    if plan is None:
        session.commit()
        totals = price_items(subscription, subscription.items)
        return no_proration(subscription.currency, totals.total, totals.total)

    intent = None
    proration = plan.proration
    if (
        proration.period_index is not None
        and proration.net > 0
        and subscription.collection is CollectionMethod.AUTOMATIC
    ):
        session.commit()
        intent = charge_saved_method(
            subscription,
            proration.net,
            idempotency_key=f"subscription-{subscription.id}-{plan.charge_key}",
            processor=processor,
        )
        lock_subscription(session, subscription)
        item = _item(subscription, plan.item_id)
        if (item.price_id, item.quantity) == (plan.price.id, plan.quantity):
            # A repeated submit applied this change while the charge ran.
            session.commit()
            return no_proration(
                subscription.currency, proration.new_amount, proration.new_amount
            )
        if (item.price_id, item.quantity) != (plan.from_price_id, plan.from_quantity):
            session.rollback()
            raise SubscriptionStateError(
                "The subscription was changed by someone else meanwhile. Reload "
                "the page and check the charge before you change it again."
            )

    proration = collect_net(
        session,
        subscription,
        proration,
        description=_price_description(plan.price),
        items=plan.new_items,
        actor=actor,
        now=subscription_now(subscription, now),
        intent=intent,
        processor_name=_processor_name(processor),
        client_address=client_address,
    )
    _apply(subscription, plan)
    record_action(
        session,
        subscription,
        ITEMS_CHANGED_ACTION,
        actor=actor,
        client_address=client_address,
        details={
            "item": str(plan.item_id),
            "from_price": str(plan.from_price_id),
            "from_quantity": str(plan.from_quantity),
            "to_price": str(plan.price.id),
            "to_quantity": str(plan.quantity),
            **_proration_details(proration),
        },
    )
    session.commit()
    logger.info("subscription %s items changed", subscription.id)
    send_net_charge_emails(session, proration)
    return proration


def _plan(
    session: Session,
    subscription: Subscription,
    now: datetime,
    price_id: int,
    quantity: int,
    item_id: int | None,
) -> PlannedChange | None:
    """Lock the row, check the change and price it; None when nothing changes."""
    lock_subscription(session, subscription)
    _check_changeable(session, subscription)
    item = _item(subscription, item_id)
    price = _new_price(session, subscription, price_id)
    _check_quantity(quantity)
    if item.price_id == price.id and item.quantity == quantity:
        return None
    old_totals = price_items(subscription, subscription.items)
    new_items = tuple(
        ItemPrice(
            description=other.description,
            unit_amount=price.unit_amount if other is item else other.unit_amount,
            quantity=quantity if other is item else other.quantity,
            tax_rate=other.tax_rate,
        )
        for other in subscription.items
    )
    new_totals = price_items(subscription, new_items)
    return PlannedChange(
        item_id=item.id,
        from_price_id=item.price_id,
        from_quantity=item.quantity,
        price=price,
        quantity=quantity,
        proration=_prorate_change(
            session, subscription, now, old_totals.total, new_totals.total
        ),
        new_items=new_items,
        earlier_changes=_count_changes(session, subscription),
    )


def _apply(subscription: Subscription, plan: PlannedChange) -> None:
    item = _item(subscription, plan.item_id)
    item.price = plan.price
    item.price_id = plan.price.id
    item.unit_amount = plan.price.unit_amount
    item.description = _price_description(plan.price)
    item.quantity = plan.quantity


def _count_changes(session: Session, subscription: Subscription) -> int:
    return session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.subject_type == "subscription",
            AuditEvent.subject_id == subscription.id,
            AuditEvent.action == ITEMS_CHANGED_ACTION,
        )
    )


def _processor_name(processor: Processor | None) -> str:
    chosen = processor or current_app.extensions["kassa.processor"]
    return chosen.name


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
    if not 1 <= quantity <= MAX_ITEM_QUANTITY:
        raise SubscriptionError(
            f"Quantity {quantity} is out of range. Enter a whole number from 1 to "
            f"{MAX_ITEM_QUANTITY}.",
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
