from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.types import currency_code, intpk, minor_units, percent, utc_created


def enum_column(enum_class: type[StrEnum]) -> Enum:
    """A string column for a StrEnum, stored by value, without a database enum type."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class PriceKind(StrEnum):
    ONE_TIME = "one_time"
    RECURRING = "recurring"


class BillingFrequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUALLY = "semiannually"
    YEARLY = "yearly"
    EVERY_2_YEARS = "every_2_years"
    EVERY_3_YEARS = "every_3_years"
    EVERY_4_YEARS = "every_4_years"
    EVERY_5_YEARS = "every_5_years"


class Product(Base):
    __tablename__ = "products"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc_created]

    prices: Mapped[list["Price"]] = relationship(back_populates="product")


class Price(Base):
    __tablename__ = "prices"
    __table_args__ = (
        CheckConstraint("unit_amount >= 0", name="unit_amount_not_negative"),
        CheckConstraint(
            "(kind = 'recurring') = (frequency IS NOT NULL)",
            name="frequency_only_when_recurring",
        ),
    )

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    currency: Mapped[currency_code]
    unit_amount: Mapped[minor_units]  # minor units
    kind: Mapped[PriceKind] = mapped_column(
        enum_column(PriceKind), default=PriceKind.ONE_TIME
    )
    frequency: Mapped[BillingFrequency | None] = mapped_column(
        enum_column(BillingFrequency)
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc_created]

    product: Mapped[Product] = relationship(back_populates="prices")


class TaxRate(Base):
    __tablename__ = "tax_rates"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))  # shown to buyers, e.g. "VAT"
    percent: Mapped[percent]
    inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Fee(Base):
    """A charge added to an order, such as shipping or a service fee."""

    __tablename__ = "fees"
    __table_args__ = (
        CheckConstraint(
            "(flat_amount IS NULL) <> (percent IS NULL)", name="flat_or_percent"
        ),
        CheckConstraint("flat_amount IS NULL OR flat_amount >= 0", name="flat_amount"),
        CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent"
        ),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    flat_amount: Mapped[minor_units | None]  # minor units of currency
    currency: Mapped[str | None] = mapped_column(String(3))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))

    tax_rate: Mapped[TaxRate | None] = relationship()


class Discount(Base):
    """A percent or fixed amount off, redeemable by code when ``code`` is set."""

    __tablename__ = "discounts"
    __table_args__ = (
        CheckConstraint(
            "(percent IS NULL) <> (amount_off IS NULL)", name="percent_or_amount"
        ),
        CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent"
        ),
        CheckConstraint(
            "amount_off IS NULL OR (amount_off > 0 AND currency IS NOT NULL)",
            name="amount_off",
        ),
        CheckConstraint(
            "max_redemptions IS NULL OR max_redemptions >= 1", name="max_redemptions"
        ),
        CheckConstraint("times_redeemed >= 0", name="times_redeemed"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    # Upper-case code buyers type; codes are matched case-insensitively.
    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    amount_off: Mapped[minor_units | None]  # minor units of currency
    currency: Mapped[str | None] = mapped_column(String(3))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_redemptions: Mapped[int | None]
    times_redeemed: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc_created]
