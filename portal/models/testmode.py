from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime
from portal.models.types import currency_code, minor_units, utc_created


class TestModeIntent(Base):
    """A payment intent of the built-in test-mode processor.

    Kept in the database so that an authentication step or a bank debit can
    finish in a later request or from the command line.
    """

    __tablename__ = "test_mode_intents"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # pi_test_...
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    amount: Mapped[minor_units]  # minor units
    currency: Mapped[currency_code]
    status: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(20))  # "card" or "bank_debit"
    card_brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    # What happens next: "succeed" or "fail" when a debit settles, or
    # "refund_fails" for a card payment whose refunds fail.
    outcome: Mapped[str | None] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(40))
    settles_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[utc_created]


class TestModeRefund(Base):
    """A refund of a test-mode intent, kept so that a repeated key refunds once."""

    __tablename__ = "test_mode_refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # re_test_...
    intent_id: Mapped[str] = mapped_column(
        ForeignKey("test_mode_intents.id"), index=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    amount: Mapped[minor_units]  # minor units
    currency: Mapped[currency_code]
    status: Mapped[str] = mapped_column(String(32))  # a RefundStatus value
    reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[utc_created]


class TestModePaymentMethod(Base):
    """A card or bank account saved with the test-mode processor for later charges.

    ``behaviour`` states how later off-session charges go: "succeed", "decline"
    or "authenticate" for a card, "succeed" or "fail" for a bank debit. The
    card or account number itself is not kept.
    """

    __tablename__ = "test_mode_payment_methods"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # pm_test_...
    customer_ref: Mapped[str] = mapped_column(String(40), index=True)  # cus_test_...
    kind: Mapped[str] = mapped_column(String(20))  # "card" or "bank_debit"
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    exp_month: Mapped[int | None]
    exp_year: Mapped[int | None]
    behaviour: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[utc_created]
