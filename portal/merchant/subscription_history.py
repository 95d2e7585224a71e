"""The history of a subscription as staff read it on its detail page.

Audit rows store codes: an action such as ``subscription.status_changed``,
an actor such as ``staff:3``, statuses, and for status changes a reason code
such as ``retries_exhausted``. This module turns each into words.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.listing.subscriptions import STATUS_LABELS
from portal.models import AuditEvent, Staff

ACTION_LABELS = {
    "subscription_started": "Started",
    "subscription.status_changed": "Status changed",
    "subscription.canceled": "Canceled",
    "subscription.cancel_scheduled": "Set to cancel at period end",
    "subscription.cancel_undone": "Set to renew again",
    "subscription.paused": "Paused",
    "subscription.resumed": "Resumed",
    "subscription.resubscribed": "Resubscribed",
    "subscription.items_changed": "Items changed",
    "subscription.payment_method_replaced": "Payment method replaced",
    "subscription.clock_advanced": "Test clock advanced",
    "subscription.refund_rejected": "Refund of unused time rejected",
}
# Reason codes that the billing run writes on a status change.
REASON_LABELS = {
    "retries_exhausted": "every retry of the failed charge failed",
    "period_end": "the last period ended",
}
ACTOR_LABELS = {
    "buyer": "the customer",
    "system": "Kassa",
}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    action: str
    actor: str
    from_status: str | None  # set only when the status changed
    to_status: str | None
    reason: str | None


def subscription_history(session: Session, subscription_id: int) -> list[HistoryLine]:
    """Load the subscription's audit rows, oldest first, as lines in words."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "subscription",
                AuditEvent.subject_id == subscription_id,
            )
            .order_by(AuditEvent.id)
        )
    )
    staff = _staff_names(session, [event.actor for event in events])
    return [_line(event, staff) for event in events]


def actor_label(session: Session, actor: str) -> str:
    """Name an audit actor such as ``staff:3``, ``buyer`` or ``system`` in words."""
    staff = _staff_names(session, [actor])
    return staff.get(actor) or ACTOR_LABELS.get(actor, actor)


def _line(event: AuditEvent, staff: dict[str, str]) -> HistoryLine:
    changed = event.from_state and event.from_state != event.to_state
    reason = (event.details or {}).get("reason")
    return HistoryLine(
        at=event.created_at,
        action=ACTION_LABELS.get(event.action, _words(event.action)),
        actor=staff.get(event.actor) or ACTOR_LABELS.get(event.actor, event.actor),
        from_status=_status(event.from_state) if changed else None,
        to_status=_status(event.to_state) if changed else None,
        reason=REASON_LABELS.get(reason, reason) if reason else None,
    )


def _staff_names(session: Session, actors: list[str]) -> dict[str, str]:
    """Map each ``staff:N`` of ``actors`` to the staff member's name or email."""
    ids = {
        int(number)
        for kind, _, number in (actor.partition(":") for actor in actors)
        if kind == "staff" and number.isdigit()
    }
    if not ids:
        return {}
    members = session.scalars(select(Staff).where(Staff.id.in_(ids)))
    return {f"staff:{member.id}": member.name or member.email for member in members}


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    return STATUS_LABELS.get(value, _words(value))


def _words(code: str) -> str:
    """Spell an unknown code such as ``subscription.items_changed`` as words."""
    last = code.rsplit(".", 1)[-1]
    return last.replace("_", " ").capitalize()
