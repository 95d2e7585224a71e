"""Payouts: money the processor sends from the balance to the business's bank."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.types import currency_code, intpk, minor_units, utc_created


class PayoutStatus(StrEnum):
    """States of a payout, named as in Stripe's Payout object."""

    PENDING = "pending"
    IN_TRANSIT = "in_transit"
    PAID = "paid"
    FAILED = "failed"
    CANCELED = "canceled"


class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[intpk]
    processor: Mapped[str] = mapped_column(String(20))  # "stripe"
    processor_ref: Mapped[str] = mapped_column(String(255), unique=True)  # po_...
    amount: Mapped[minor_units]  # minor units sent to the bank
    currency: Mapped[currency_code]
    status: Mapped[PayoutStatus] = mapped_column(enum_column(PayoutStatus))
    # The date the processor expects the money in the bank account.
    arrival_date: Mapped[date | None]
    failure_code: Mapped[str | None] = mapped_column(String(60))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # When the processor created the payout.
    initiated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[utc_created]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
