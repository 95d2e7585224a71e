"""Disputes (chargebacks): a buyer's bank taking a payment back."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.payments import Payment
from portal.models.types import currency_code, intpk, minor_units, utc_created


class DisputeStatus(StrEnum):
    """States of a dispute, named as in Stripe's Dispute object."""

    WARNING_NEEDS_RESPONSE = "warning_needs_response"
    WARNING_UNDER_REVIEW = "warning_under_review"
    WARNING_CLOSED = "warning_closed"
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"
    PREVENTED = "prevented"


CLOSED_DISPUTE_STATUSES = (
    DisputeStatus.WARNING_CLOSED,
    DisputeStatus.WON,
    DisputeStatus.LOST,
    DisputeStatus.PREVENTED,
)


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[intpk]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    processor_ref: Mapped[str] = mapped_column(String(255), unique=True)  # dp_...
    amount: Mapped[minor_units]  # minor units the bank holds back
    currency: Mapped[currency_code]
    # The processor's reason code, such as "fraudulent" or "product_not_received".
    reason: Mapped[str] = mapped_column(String(60))
    status: Mapped[DisputeStatus] = mapped_column(enum_column(DisputeStatus))
    # The last moment to send evidence; None once evidence can no longer be sent.
    evidence_due_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[utc_created]

    payment: Mapped[Payment] = relationship()

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_DISPUTE_STATUSES
