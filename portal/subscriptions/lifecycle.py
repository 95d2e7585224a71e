"""Changes to a running subscription, made by staff or by the customer.

Each action locks the subscription row, checks the status, writes an audit
row naming the actor and commits, like the invoice actions. Repeating an
action that already took effect changes nothing and returns the
subscription as it is, so a double submit ends in one change. An action the
status does not allow raises ``SubscriptionStateError`` (409) and saves
nothing.

Dates are the subscription's local dates in the business's time zone. Under
a test clock (``clock_at``) the subscription's "now" is the clock's time,
not the ``now`` passed in.
"""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from portal.billing.schedule import billing_date
from portal.billing.states import period_end
from portal.businesses import get_business
from portal.models import RefundReason, SavedPaymentMethod
from portal.models.subscriptions import (
    RENEWING_STATUSES,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
)
from portal.notifications.subscription_endings import (
    Cancellation,
    send_cancellation_notice,
)
from portal.processors.base import Processor
from portal.subscriptions.actions import (
    iso_date,
    lock_subscription,
    record_action,
    state_hint,
    subscription_now,
    subscription_today,
)
from portal.subscriptions.changes import change_items
from portal.subscriptions.errors import SubscriptionError, SubscriptionStateError
from portal.subscriptions.net_charges import refund_unused_time
from portal.subscriptions.proration import (
    current_period,
    paid_for_period,
    price_items,
    prorate,
)
from portal.subscriptions.resubscribing import resubscribe

__all__ = [
    "cancel_at_period_end",
    "cancel_now",
    "change_items",
    "keep_renewing",
    "pause",
    "replace_payment_method",
    "resubscribe",
    "resume",
]

logger = logging.getLogger(__name__)

CANCEL_REASON_MAX_LENGTH = 500
# Periods whose charge failed or waits for the customer, which the billing run retries.
RETRYING_PERIODS = (PeriodStatus.FAILED, PeriodStatus.REQUIRES_ACTION)
PAUSABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)
CANCELABLE_AT_PERIOD_END = RENEWING_STATUSES | {SubscriptionStatus.PAUSED}


def cancel_now(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    refund_unused: bool,
    refund_reason: RefundReason = RefundReason.OTHER,
    notify_customer: bool = False,
    processor: Processor | None = None,
    client_address: str | None = None,
) -> Subscription:
    """End the subscription at once, optionally refunding its unused time, and commit.

    ``refund_reason`` is recorded on the refund; the default, other, names no
    reason to the customer. With ``notify_customer`` the customer is emailed
    that the subscription was canceled, once, after the commit.

    The refund follows the proration rule of ``portal.subscriptions.proration``:
    the unused days of the current period at the current price, never more
    than what was paid for that period. It goes back through the processor
    to the payment of that period, after the cancellation is committed.
    Raises ``SubscriptionError`` before anything changes when a refund is due
    but that period was paid outside the processor. Retries of failed
    renewals stop; open invoices stay open.
    """
    lock_subscription(session, subscription)
    if subscription.status is SubscriptionStatus.CANCELED:
        return subscription
    refund = None
    if refund_unused:
        refund = _unused_time_refund(session, subscription, now)

    previous = subscription.status
    moment = subscription_now(subscription, now)
    subscription.status = SubscriptionStatus.CANCELED
    subscription.canceled_at = moment
    subscription.ended_at = moment
    subscription.next_billing_date = None
    subscription.cancel_at_period_end = False
    for period in subscription.periods:
        if period.status in RETRYING_PERIODS:
            period.status = PeriodStatus.VOID
            period.next_attempt_at = None
    details = {"refund_unused": "yes" if refund_unused else "no"}
    if refund is not None:
        details["refund_amount"] = str(refund[1])
        details["refund_payment"] = str(refund[0].id)
    record_action(
        session,
        subscription,
        "subscription.canceled",
        actor=actor,
        from_state=previous,
        client_address=client_address,
        details=details,
    )
    session.commit()
    logger.info("subscription %s canceled now", subscription.id)
    if notify_customer:
        _notify_cancellation(
            session,
            subscription,
            Cancellation(
                ends_on=subscription_today(session, subscription, now),
                at_period_end=False,
            ),
        )
    if refund is not None:
        payment, amount = refund
        refund_unused_time(
            session,
            subscription,
            payment,
            amount,
            reason=refund_reason,
            actor=actor,
            processor=processor,
            client_address=client_address,
        )
    return subscription


def cancel_at_period_end(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    reason: str | None,
    notify_customer: bool = False,
    client_address: str | None = None,
) -> Subscription:
    """Stop renewing, so that the subscription ends on its next billing date. Commits.

    With ``notify_customer`` the customer is emailed the end date, once,
    after the commit.

    ``next_billing_date`` keeps that date, which is now the end date. The
    billing run ends the subscription there instead of billing it. A paused
    subscription has no next billing date, so it ends when its last billed
    period ends (see ``period_end``), unless it is resumed before then.
    """
    lock_subscription(session, subscription)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > CANCEL_REASON_MAX_LENGTH:
        raise SubscriptionError(
            f"The reason is {len(reason)} characters long. Shorten it to at most "
            f"{CANCEL_REASON_MAX_LENGTH}.",
            "reason",
        )
    if subscription.cancel_at_period_end:
        return subscription
    if subscription.status not in CANCELABLE_AT_PERIOD_END:
        raise SubscriptionStateError(
            f"Subscription {subscription.id} is {subscription.status.value} and "
            "does not renew, so there is no period end to cancel at."
            + state_hint(subscription)
        )
    subscription.cancel_at_period_end = True
    subscription.cancel_reason = reason
    ends_on = subscription.next_billing_date or period_end(subscription)
    details = {"ends_on": iso_date(ends_on)}
    if reason is not None:
        details["reason"] = reason
    record_action(
        session,
        subscription,
        "subscription.cancel_scheduled",
        actor=actor,
        client_address=client_address,
        details=details,
    )
    session.commit()
    logger.info("subscription %s cancels at period end", subscription.id)
    if notify_customer and ends_on is not None:
        _notify_cancellation(
            session, subscription, Cancellation(ends_on=ends_on, at_period_end=True)
        )
    return subscription


def keep_renewing(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    client_address: str | None = None,
) -> Subscription:
    """Undo a pending cancellation at period end, and commit."""
    lock_subscription(session, subscription)
    if subscription.status is SubscriptionStatus.CANCELED:
        raise SubscriptionStateError(
            f"Subscription {subscription.id} has already ended. Resubscribe to "
            "start a new one."
        )
    if not subscription.cancel_at_period_end:
        return subscription
    subscription.cancel_at_period_end = False
    subscription.cancel_reason = None
    record_action(
        session,
        subscription,
        "subscription.cancel_undone",
        actor=actor,
        client_address=client_address,
        details={"renews_on": iso_date(subscription.next_billing_date)},
    )
    session.commit()
    logger.info("subscription %s renews again", subscription.id)
    return subscription


def pause(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    client_address: str | None = None,
) -> Subscription:
    """Stop billing until ``resume``. Periods that fall in the pause are not billed.

    Only an active or trialing subscription pauses. Commits.
    """
    lock_subscription(session, subscription)
    if subscription.status is SubscriptionStatus.PAUSED:
        return subscription
    if subscription.status not in PAUSABLE:
        raise SubscriptionStateError(
            f"Subscription {subscription.id} is {subscription.status.value}; only "
            "an active or trialing subscription can be paused."
            + state_hint(subscription)
        )
    previous = subscription.status
    subscription.status = SubscriptionStatus.PAUSED
    subscription.paused_at = subscription_now(subscription, now)
    subscription.next_billing_date = None
    record_action(
        session,
        subscription,
        "subscription.paused",
        actor=actor,
        from_state=previous,
        client_address=client_address,
    )
    session.commit()
    logger.info("subscription %s paused", subscription.id)
    return subscription


def resume(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    client_address: str | None = None,
) -> Subscription:
    """Bill a paused subscription again from its next billing date, and commit.

    Billing dates stay counted from the anchor: the next bill is the first
    billing date on or after today, and the dates that fell in the pause are
    skipped.
    """
    lock_subscription(session, subscription)
    if subscription.status is not SubscriptionStatus.PAUSED:
        if subscription.status in RENEWING_STATUSES:
            return subscription
        raise SubscriptionStateError(
            f"Subscription {subscription.id} is {subscription.status.value}, not "
            "paused, so it cannot be resumed." + state_hint(subscription)
        )
    today = subscription_today(session, subscription, now)
    index = subscription.next_period
    while billing_date(subscription.anchor_date, subscription.frequency, index) < today:
        index += 1
    subscription.next_period = index
    subscription.next_billing_date = billing_date(
        subscription.anchor_date, subscription.frequency, index
    )
    trialing = subscription.trial_end is not None and today < subscription.trial_end
    subscription.status = (
        SubscriptionStatus.TRIALING if trialing else SubscriptionStatus.ACTIVE
    )
    subscription.paused_at = None
    record_action(
        session,
        subscription,
        "subscription.resumed",
        actor=actor,
        from_state=SubscriptionStatus.PAUSED,
        client_address=client_address,
        details={"next_billing_date": iso_date(subscription.next_billing_date)},
    )
    session.commit()
    logger.info("subscription %s resumed", subscription.id)
    return subscription


def replace_payment_method(
    session: Session,
    subscription: Subscription,
    *,
    actor: str,
    now: datetime,
    saved_method: SavedPaymentMethod,
    client_address: str | None = None,
) -> Subscription:
    """Charge ``saved_method`` from now on, and commit.

    The method must be saved for the subscription's contact. Failed renewals
    are retried with it at the next billing run.
    """
    lock_subscription(session, subscription)
    if subscription.status is SubscriptionStatus.CANCELED:
        raise SubscriptionStateError(
            f"Subscription {subscription.id} has ended, so its payment method "
            "cannot be changed."
        )
    if saved_method.customer.contact_id != subscription.contact_id:
        raise SubscriptionError(
            "That payment method belongs to another customer. Choose one saved "
            "for this subscription's contact.",
            "saved_method",
        )
    if saved_method.removed_at is not None:
        raise SubscriptionError(
            "That payment method was removed. Choose another one.", "saved_method"
        )
    if subscription.saved_method_id == saved_method.id:
        return subscription
    previous = subscription.saved_method
    subscription.saved_method = saved_method
    subscription.saved_method_id = saved_method.id
    moment = subscription_now(subscription, now)
    for period in subscription.periods:
        if period.status in RETRYING_PERIODS and period.next_attempt_at is not None:
            period.next_attempt_at = min(period.next_attempt_at, moment)
    record_action(
        session,
        subscription,
        "subscription.payment_method_replaced",
        actor=actor,
        client_address=client_address,
        details={
            "from": _method_label(previous),
            "to": _method_label(saved_method),
        },
    )
    session.commit()
    logger.info("subscription %s payment method replaced", subscription.id)
    return subscription


def _notify_cancellation(
    session: Session, subscription: Subscription, cancellation: Cancellation
) -> None:
    send_cancellation_notice(subscription, get_business(session), cancellation)


def _unused_time_refund(session: Session, subscription: Subscription, now: datetime):
    """Return the payment to refund and the amount, or None when nothing is due."""
    today = subscription_today(session, subscription, now)
    period = current_period(subscription, today)
    if period is None or period.status is not PeriodStatus.PAID:
        return None
    totals = price_items(subscription, subscription.items)
    proration = prorate(
        currency=subscription.currency,
        period_index=period.index,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        today=today,
        old_amount=totals.total,
        new_amount=0,
        paid=paid_for_period(session, period),
    )
    if proration.credit <= 0:
        return None
    payment = period.payment or (period.invoice.payment if period.invoice else None)
    if payment is None or not payment.processor_ref:
        raise SubscriptionError(
            "The current period was paid outside Kassa, so its unused time "
            "cannot be refunded through the processor. Refund it by hand and "
            "cancel without a refund.",
            "refund_unused",
        )
    amount = min(proration.credit, payment.refundable_amount)
    return (payment, amount) if amount > 0 else None


def _method_label(method: SavedPaymentMethod | None) -> str:
    if method is None:
        return "none"
    brand = method.brand or method.kind
    return f"{brand} ending {method.last4}" if method.last4 else brand
