from datetime import date, datetime
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.database import Base, UTCDateTime
from portal.models.catalog import Discount, Fee, Price, TaxRate, enum_column
from portal.models.types import currency_code, intpk, utc_created
from portal.origins import normalise_origin_list

MAX_CUSTOM_FIELDS = 5


class Collect(StrEnum):
    """Whether the checkout asks for a piece of buyer information."""

    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


class CustomFieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DROPDOWN = "dropdown"


def check_redirect_url(url: str) -> str:
    """Return ``url`` when it is an absolute http(s) URL with a host.

    Raises ``ValueError`` otherwise, so that ``javascript:`` and relative
    URLs never become a redirect target.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"After-payment URL {url!r} is not an http:// or https:// address."
        )
    return url.strip()


class PaymentLink(Base):
    __tablename__ = "payment_links"
    __table_args__ = (
        CheckConstraint(
            "max_payments IS NULL OR max_payments >= 1", name="max_payments"
        ),
        CheckConstraint("trial_days IS NULL OR trial_days >= 1", name="trial_days"),
        CheckConstraint(
            "(start_delay IS NULL) = (start_delay_unit IS NULL)"
            " AND (start_delay IS NULL OR start_delay >= 1)",
            name="start_delay",
        ),
        CheckConstraint(
            "start_delay IS NULL OR start_on IS NULL", name="one_start_option"
        ),
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # /pay/<slug>
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[currency_code]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Completed payments after which the link stops taking new ones.
    max_payments: Mapped[int | None]
    allow_discount_codes: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_bank_debit: Mapped[bool] = mapped_column(Boolean, default=True)
    collect_name: Mapped[Collect] = mapped_column(
        enum_column(Collect), default=Collect.OPTIONAL
    )
    collect_address: Mapped[Collect] = mapped_column(
        enum_column(Collect), default=Collect.OFF
    )
    collect_phone: Mapped[Collect] = mapped_column(
        enum_column(Collect), default=Collect.OFF
    )
    after_payment_message: Mapped[str | None] = mapped_column(Text)
    # Where the buyer goes after paying instead of the receipt page; http(s) only.
    after_payment_url: Mapped[str | None] = mapped_column(String(2000))
    # Origins (scheme://host[:port], port may be *) whose pages may embed the
    # checkout; empty means no site may. Assign a new list to change it, so
    # that the validator below normalises it.
    allowed_origins: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    # When a subscription bought through the link starts: now when all three
    # are None, after a delay of start_delay days or months, or on start_on.
    # A trial of trial_days then comes before the first charge.
    start_delay: Mapped[int | None]
    start_delay_unit: Mapped[str | None] = mapped_column(String(6))  # days, months
    start_on: Mapped[date | None]
    trial_days: Mapped[int | None]
    created_at: Mapped[utc_created]

    items: Mapped[list["PaymentLinkItem"]] = relationship(
        order_by="PaymentLinkItem.position", cascade="all, delete-orphan"
    )
    fees: Mapped[list[Fee]] = relationship(secondary="payment_link_fees")
    custom_fields: Mapped[list["CustomField"]] = relationship(
        order_by="CustomField.position", cascade="all, delete-orphan"
    )

    @validates("after_payment_url")
    def _check_after_payment_url(self, _key: str, url: str | None) -> str | None:
        if url is None or url == "":
            return None
        return check_redirect_url(url)

    @validates("allowed_origins")
    def _check_allowed_origins(self, _key: str, origins: list[str]) -> list[str]:
        return normalise_origin_list(origins)


class PaymentLinkItem(Base):
    __tablename__ = "payment_link_items"
    __table_args__ = (
        UniqueConstraint("link_id", "position"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint(
            "min_quantity >= 1 AND max_quantity >= min_quantity",
            name="quantity_bounds",
        ),
        CheckConstraint(
            "quantity >= min_quantity AND quantity <= max_quantity",
            name="quantity_within_bounds",
        ),
    )

    id: Mapped[intpk]
    link_id: Mapped[int] = mapped_column(ForeignKey("payment_links.id"))
    position: Mapped[int] = mapped_column(default=0)
    price_id: Mapped[int] = mapped_column(ForeignKey("prices.id"))
    quantity: Mapped[int] = mapped_column(default=1)  # the quantity shown first
    adjustable_quantity: Mapped[bool] = mapped_column(Boolean, default=False)
    min_quantity: Mapped[int] = mapped_column(default=1)
    max_quantity: Mapped[int] = mapped_column(default=99)
    tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))
    # A discount that always applies to this line, with or without a code.
    discount_id: Mapped[int | None] = mapped_column(ForeignKey("discounts.id"))

    price: Mapped[Price] = relationship()
    tax_rate: Mapped[TaxRate | None] = relationship()
    discount: Mapped[Discount | None] = relationship()


class PaymentLinkFee(Base):
    __tablename__ = "payment_link_fees"

    link_id: Mapped[int] = mapped_column(
        ForeignKey("payment_links.id"), primary_key=True
    )
    fee_id: Mapped[int] = mapped_column(ForeignKey("fees.id"), primary_key=True)


class CustomField(Base):
    """An extra question on the checkout; at most five per link."""

    __tablename__ = "custom_fields"
    __table_args__ = (
        UniqueConstraint("link_id", "position"),
        UniqueConstraint("link_id", "key"),
        CheckConstraint(
            f"position >= 0 AND position < {MAX_CUSTOM_FIELDS}", name="at_most_five"
        ),
    )

    id: Mapped[intpk]
    link_id: Mapped[int] = mapped_column(ForeignKey("payment_links.id"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))  # form field name, [a-z0-9_]
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CustomFieldKind] = mapped_column(enum_column(CustomFieldKind))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # dropdown choices
