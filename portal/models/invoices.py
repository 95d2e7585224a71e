"""Invoices that staff issue: net terms, manual payments and reminders.

The ``Invoice`` table itself lives in ``portal.models.payments``, because a
paid payment link writes one too. These are the parts only staff invoices use.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.types import currency_code, intpk, minor_units, utc_created

# The earliest and latest reminder, in days from the due date.
MIN_REMINDER_OFFSET = -60
MAX_REMINDER_OFFSET = 365


class NetTerms(StrEnum):
    """When an invoice is due, counted from its issue date."""

    DUE_ON_RECEIPT = "due_on_receipt"
    NET_7 = "net_7"
    NET_15 = "net_15"
    NET_30 = "net_30"
    NET_45 = "net_45"
    NET_60 = "net_60"
    NET_90 = "net_90"
    CUSTOM = "custom"  # a due date chosen by hand


class ManualPaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    CHEQUE = "cheque"
    OTHER = "other"


class ManualPayment(Base):
    """A payment received outside Kassa and recorded by staff against an invoice."""

    __tablename__ = "manual_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[intpk]
    # An invoice is paid in full, once, so it has at most one manual payment.
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    currency: Mapped[currency_code]
    amount: Mapped[minor_units]  # minor units received
    paid_on: Mapped[date]  # the day the money arrived, as staff entered it
    method: Mapped[ManualPaymentMethod] = mapped_column(
        enum_column(ManualPaymentMethod)
    )
    reference: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))  # "staff:3"
    created_at: Mapped[utc_created]


class InvoiceReminder(Base):
    """An email to the buyer scheduled relative to an invoice's due date."""

    __tablename__ = "invoice_reminders"
    __table_args__ = (
        UniqueConstraint("invoice_id", "offset_days"),
        CheckConstraint(
            f"offset_days >= {MIN_REMINDER_OFFSET}"
            f" AND offset_days <= {MAX_REMINDER_OFFSET}",
            name="offset_days_range",
        ),
    )

    id: Mapped[intpk]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    # Days after the due date: -3 is three days before it, 0 the due date itself.
    offset_days: Mapped[int]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True when a later reminder was due at the same run and went out instead.
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[utc_created]
