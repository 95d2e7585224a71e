from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime, now_utc
from portal.models.types import intpk, utc_created


class Contact(Base):
    """A buyer, found again by email address."""

    __tablename__ = "contacts"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower case
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    tax_id: Mapped[str | None] = mapped_column(
        String(64)
    )  # the buyer's VAT or tax number
    created_at: Mapped[utc_created]
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )
