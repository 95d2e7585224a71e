"""A payment link's payments: the latest ones and what it collected."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Payment, PaymentStatus, Refund, RefundStatus

RECENT_PAYMENTS = 20


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    payments: int  # succeeded payments
    collected: int  # minor units of the succeeded payments
    refunded: int  # minor units of their succeeded refunds


def recent_payments(
    session: Session, link_id: int, limit: int = RECENT_PAYMENTS
) -> list[Payment]:
    """Return the link's latest payments, newest first, in every status."""
    return list(
        session.scalars(
            select(Payment)
            .where(Payment.link_id == link_id)
            .options(selectinload(Payment.contact), selectinload(Payment.refunds))
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(limit)
        )
    )


def payment_count(session: Session, link_id: int) -> int:
    return session.scalar(
        select(func.count(Payment.id)).where(Payment.link_id == link_id)
    )


def collected_by_currency(session: Session, link_id: int) -> list[CurrencyTotal]:
    """Sum the link's succeeded payments and their refunds, per currency."""
    paid = session.execute(
        select(Payment.currency, func.count(Payment.id), func.sum(Payment.amount))
        .where(Payment.link_id == link_id, Payment.status == PaymentStatus.SUCCEEDED)
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    ).all()
    refunded = dict(
        session.execute(
            select(Refund.currency, func.sum(Refund.amount))
            .join(Payment, Payment.id == Refund.payment_id)
            .where(
                Payment.link_id == link_id,
                Refund.status == RefundStatus.SUCCEEDED,
            )
            .group_by(Refund.currency)
        ).all()
    )
    return [
        CurrencyTotal(
            currency=currency,
            payments=count,
            collected=int(total),
            refunded=int(refunded.get(currency) or 0),
        )
        for currency, count, total in paid
    ]
