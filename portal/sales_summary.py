"""Counts and sums of succeeded payments over a period, per currency."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Payment, PaymentStatus


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    count: int
    amount: int  # minor units


def local_day_start(now: datetime, timezone: str, days_back: int = 0) -> datetime:
    """Return, in UTC, the midnight that began the local day ``days_back`` days ago.

    ``timezone`` is the business's IANA time zone, which decides where a day ends.
    """
    zone = ZoneInfo(timezone)
    local_date = now.astimezone(zone).date() - timedelta(days=days_back)
    return datetime.combine(local_date, time(0), tzinfo=zone).astimezone(UTC)


def succeeded_totals(
    session: Session, since: datetime, until: datetime
) -> list[CurrencyTotal]:
    """Count and sum the payments that succeeded in ``[since, until)``, per currency.

    The amounts are what was charged, before any refund.
    """
    rows = session.execute(
        select(Payment.currency, func.count(), func.sum(Payment.amount))
        .where(
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.succeeded_at >= since,
            Payment.succeeded_at < until,
        )
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    ).all()
    return [
        CurrencyTotal(currency, count, int(amount)) for currency, count, amount in rows
    ]
