"""Refunds of payments: money sent back to the buyer, in full or in part."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.types import currency_code, intpk, minor_units, utc_created

if TYPE_CHECKING:
    from portal.models.payments import Payment
    from portal.models.staff import Staff


class RefundStatus(StrEnum):
    """States of a refund, named as in Stripe's Refund object."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


# Statuses whose amount is no longer the merchant's: pending refunds count too,
# so that a refund in flight cannot be refunded a second time.
COUNTED_REFUND_STATUSES = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


class RefundReason(StrEnum):
    """The reason staff give for a refund; the first three are Stripe's own."""

    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    OTHER = "other"


class Refund(Base):
    """One refund of a payment, or one attempt at it that failed.

    The row is written before the processor is called, as pending without a
    ``processor_ref``, so that its amount is held against the payment while
    the call runs. A failed or canceled refund keeps its row and its message
    but no longer counts against the payment.
    """

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[intpk]
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[minor_units]  # minor units, in the payment's currency
    currency: Mapped[currency_code]
    reason: Mapped[RefundReason] = mapped_column(enum_column(RefundReason))
    # Staff's own words about the refund; never shown to the buyer.
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus))
    failure_message: Mapped[str | None] = mapped_column(Text)
    processor_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The key of the form submit that asked for the refund; a repeat finds this row.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[utc_created]
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    payment: Mapped["Payment"] = relationship(back_populates="refunds")
    staff: Mapped["Staff | None"] = relationship()

    @property
    def counted(self) -> bool:
        """True while the refund's amount counts against its payment."""
        return self.status in COUNTED_REFUND_STATUSES
