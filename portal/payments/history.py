"""A payment's state history from the audit rows of it, its refunds and invoice."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Payment, Staff
from portal.money import format_money

# Audit actions as staff read them in the history.
ACTION_LABELS = {
    "payment.created": "Payment created",
    "payment.status_changed": "Status changed",
    "payment.refunded": "Refunded",
    "invoice.paid": "Invoice paid",
    "refund.created": "Refund requested",
    "refund.succeeded": "Refund succeeded",
    "refund.pending": "Refund pending",
    "refund.failed": "Refund failed",
    "refund.canceled": "Refund canceled",
    "receipt.resent": "Receipt sent again",
    "receipt.resend_failed": "Receipt could not be sent again",
    "dispute.opened": "Dispute opened",
    "dispute.status_changed": "Dispute status changed",
}


# Refund actions, read as "Refund of €15.00 <verb>".
REFUND_VERBS = {
    "refund.created": "requested",
    "refund.succeeded": "succeeded",
    "refund.pending": "pending",
    "refund.failed": "failed",
    "refund.canceled": "canceled",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime  # UTC
    label: str
    from_state: str | None
    to_state: str | None
    actor: str  # "buyer", "system" or a staff member's name and email
    client_address: str | None
    details: dict[str, str]

    @property
    def state_change(self) -> str:
        """Describe the state change, such as "processing → succeeded", or ""."""
        to_state = (self.to_state or "").replace("_", " ")
        from_state = (self.from_state or "").replace("_", " ")
        if not to_state or to_state == from_state:
            return ""
        if not from_state:
            return to_state
        return f"{from_state} → {to_state}"


def history_label(event: AuditEvent, currency: str) -> str:
    """Name an audit row for staff, with the refund amount where there is one."""
    amount = str((event.details or {}).get("amount", ""))
    verb = REFUND_VERBS.get(event.action)
    if verb and amount.isdigit():
        money = format_money(int(amount), currency, "en")
        return f"Refund of {money} {verb}"
    label = ACTION_LABELS.get(event.action)
    if label:
        return label
    return event.action.replace(".", " ").replace("_", " ").capitalize()


def payment_history(session: Session, payment: Payment) -> list[HistoryEntry]:
    """Return the audit rows of a payment, its refunds and its invoice, oldest first."""
    subjects = [
        and_(AuditEvent.subject_type == "payment", AuditEvent.subject_id == payment.id)
    ]
    refund_ids = [refund.id for refund in payment.refunds]
    if refund_ids:
        subjects.append(
            and_(
                AuditEvent.subject_type == "refund",
                AuditEvent.subject_id.in_(refund_ids),
            )
        )
    if payment.invoice is not None:
        subjects.append(
            and_(
                AuditEvent.subject_type == "invoice",
                AuditEvent.subject_id == payment.invoice.id,
            )
        )
    events = session.scalars(
        select(AuditEvent)
        .where(or_(*subjects))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    names = _staff_names(session, events)
    return [
        HistoryEntry(
            at=event.created_at,
            label=history_label(event, payment.currency),
            from_state=event.from_state,
            to_state=event.to_state,
            actor=names.get(event.actor, event.actor),
            client_address=event.client_address,
            details=dict(event.details or {}),
        )
        for event in events
    ]


def _staff_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """Map each ``staff:<id>`` actor of the events to the staff member's name."""
    ids = {
        int(event.actor.removeprefix("staff:"))
        for event in events
        if event.actor.startswith("staff:")
        and event.actor.removeprefix("staff:").isdigit()
    }
    if not ids:
        return {}
    members = session.scalars(select(Staff).where(Staff.id.in_(ids)))
    return {f"staff:{member.id}": _describe(member) for member in members}


def _describe(member: Staff) -> str:
    if member.name:
        return f"{member.name} ({member.email})"
    return member.email
