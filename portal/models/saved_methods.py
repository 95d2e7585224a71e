"""Payment methods saved, with the buyer's consent, for later charges."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.contacts import Contact
from portal.models.types import intpk, utc_created


class ProcessorCustomer(Base):
    """A contact's customer record at a processor, such as a Stripe Customer.

    Test and live mode keep separate customers, so a contact has at most one
    of each per processor.
    """

    __tablename__ = "processor_customers"
    __table_args__ = (UniqueConstraint("contact_id", "processor", "live_mode"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    processor: Mapped[str] = mapped_column(String(20))  # "stripe"
    live_mode: Mapped[bool] = mapped_column(Boolean)
    customer_ref: Mapped[str] = mapped_column(String(255), unique=True)  # cus_...
    created_at: Mapped[utc_created]

    contact: Mapped[Contact] = relationship()


class SavedPaymentMethod(Base):
    """A card or bank account the buyer agreed to have charged again later.

    Only what identifies the method to the buyer is kept, never its number.
    """

    __tablename__ = "saved_payment_methods"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("processor_customers.id"), index=True
    )
    processor_ref: Mapped[str] = mapped_column(String(255), unique=True)  # pm_...
    kind: Mapped[str] = mapped_column(String(20))  # "card" or "bank_debit"
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None]
    exp_year: Mapped[int | None]
    # The buyer's consent: the words they agreed to, when and from where.
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[utc_created]
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[ProcessorCustomer] = relationship()
