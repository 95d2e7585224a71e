"""Steps that every subscription action shares: its clock, row lock and audit row."""

from datetime import date, datetime

from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.invoices.status import local_today
from portal.locking import lock_row
from portal.models.subscriptions import Subscription, SubscriptionStatus
from portal.subscriptions.errors import SubscriptionError


def subscription_now(subscription: Subscription, now: datetime) -> datetime:
    """Return the subscription's current time: its test clock's, when set."""
    return subscription.clock_at or now


def subscription_today(
    session: Session, subscription: Subscription, now: datetime
) -> date:
    """Return the subscription's current date in the business's time zone."""
    timezone = get_business(session).timezone
    return local_today(subscription_now(subscription, now), timezone)


def lock_subscription(session: Session, subscription: Subscription) -> None:
    """Lock the subscription's row and read it again, with what the lock protects."""
    if not lock_row(session, Subscription, subscription.id):
        raise SubscriptionError(f"Subscription {subscription.id} not found.")
    session.refresh(subscription)
    for period in subscription.periods:
        session.refresh(period)


def record_action(
    session: Session,
    subscription: Subscription,
    action: str,
    *,
    actor: str,
    from_state: SubscriptionStatus | None = None,
    client_address: str | None,
    details: dict[str, str] | None = None,
) -> None:
    session.flush()
    audit.record(
        session,
        subject_type="subscription",
        subject_id=subscription.id,
        action=action,
        actor=actor,
        from_state=(from_state or subscription.status).value,
        to_state=subscription.status.value,
        client_address=client_address,
        details=details,
    )


def state_hint(subscription: Subscription) -> str:
    """Return a sentence on what can be done instead, starting with a space."""
    if subscription.status is SubscriptionStatus.CANCELED:
        return " Resubscribe to start a new one."
    if subscription.status is SubscriptionStatus.PAUSED:
        return " Resume it first, or cancel it now."
    if subscription.status is SubscriptionStatus.PAST_DUE:
        return " Wait for the retry of the failed renewal, or cancel it now."
    if subscription.status is SubscriptionStatus.UNPAID:
        return " Cancel it now, or resubscribe after cancelling."
    return ""


def iso_date(day: date | None) -> str:
    return day.isoformat() if day else ""
