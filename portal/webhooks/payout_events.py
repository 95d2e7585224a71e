"""``payout.*`` events: money on its way from Stripe to the business's bank."""

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.database import now_utc
from portal.models import Payout, PayoutStatus
from portal.webhooks.ordering import moves_forward
from portal.webhooks.outcome import Outcome

logger = logging.getLogger(__name__)

ACTOR = "stripe"
# A payout can fail days after Stripe marked it paid, so failed ranks last.
PAYOUT_RANKS = {
    PayoutStatus.PENDING: 0,
    PayoutStatus.IN_TRANSIT: 1,
    PayoutStatus.PAID: 2,
    PayoutStatus.FAILED: 3,
    PayoutStatus.CANCELED: 3,
}


def apply_payout_event(session: Session, payout: dict) -> Outcome:
    """Record a payout, or move a known one forward."""
    try:
        status = PayoutStatus(payout["status"])
    except ValueError:
        return Outcome("ignored", f"unknown payout status {payout['status']!r}")

    row = session.scalars(
        select(Payout).where(Payout.processor_ref == payout["id"]).with_for_update()
    ).first()
    if row is None:
        row = Payout(
            processor="stripe",
            processor_ref=payout["id"],
            amount=int(payout["amount"]),
            currency=str(payout["currency"]).upper(),
            status=status,
            initiated_at=datetime.fromtimestamp(int(payout["created"]), UTC),
        )
        _copy_details(row, payout)
        session.add(row)
        session.flush()
        _audit(session, row, "payout.created", None)
        return Outcome("applied", f"payout recorded as {status.value}")
    if row.status is status:
        return Outcome("unchanged")
    if not moves_forward(PAYOUT_RANKS, row.status, status):
        return Outcome("stale", f"payout stays {row.status.value}")

    previous = row.status
    row.status = status
    row.updated_at = now_utc()
    _copy_details(row, payout)
    _audit(session, row, "payout.status_changed", previous)
    if status is PayoutStatus.FAILED:
        logger.warning("payout %s failed: %s", row.id, row.failure_code)
    return Outcome("applied", f"{previous.value} -> {status.value}")


def _copy_details(row: Payout, payout: dict) -> None:
    arrival = payout.get("arrival_date")
    # Stripe's arrival date is a timestamp of midnight UTC on that day.
    row.arrival_date = (
        datetime.fromtimestamp(int(arrival), UTC).date() if arrival else None
    )
    row.failure_code = payout.get("failure_code")
    row.failure_message = payout.get("failure_message")


def _audit(
    session: Session, payout: Payout, action: str, previous: PayoutStatus | None
) -> None:
    audit.record(
        session,
        subject_type="payout",
        subject_id=payout.id,
        action=action,
        actor=ACTOR,
        from_state=previous.value if previous else None,
        to_state=payout.status.value,
        details={
            "payout": payout.processor_ref,
            "amount": str(payout.amount),
            "currency": payout.currency,
        },
    )
