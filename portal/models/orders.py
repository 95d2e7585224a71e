from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base
from portal.models.catalog import enum_column
from portal.models.types import currency_code, intpk, minor_units, utc_created


class OrderLineKind(StrEnum):
    ITEM = "item"
    FEE = "fee"


@dataclass(frozen=True, slots=True)
class BillingDetails:
    """The buyer's email, name, phone, postal address and tax ID for one order."""

    email: str
    name: str | None = None
    phone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    tax_id: str | None = None  # the buyer's VAT or tax number


class Order(Base):
    """A priced snapshot of what a buyer pays for; payments and invoices share it.

    The amounts are sums of the lines, kept here so that lists need no join.
    The ``billing_*`` columns keep the buyer's details as submitted, because
    the shared contact row changes with each later payment from that email
    address, and an issued receipt or invoice must not.
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("subtotal >= 0", name="subtotal"),
        CheckConstraint("discount_total >= 0", name="discount_total"),
        CheckConstraint("fee_total >= 0", name="fee_total"),
        CheckConstraint("tax_total >= 0", name="tax_total"),
        CheckConstraint("total >= 0", name="total"),
    )

    id: Mapped[intpk]
    currency: Mapped[currency_code]
    subtotal: Mapped[minor_units]  # minor units, before discounts
    discount_total: Mapped[minor_units]
    fee_total: Mapped[minor_units]
    tax_total: Mapped[
        minor_units
    ]  # all tax, including tax contained in inclusive prices
    total: Mapped[minor_units]  # what the buyer pays
    discount_code: Mapped[str | None] = mapped_column(String(64))
    discount_id: Mapped[int | None] = mapped_column(ForeignKey("discounts.id"))
    # Answers to the link's custom fields, by field label.
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The buyer's details, read through ``billing``; all NULL while there is no
    # buyer, as in the preview that prices the checkout page.
    billing_email: Mapped[str | None] = mapped_column(String(320))
    billing_name: Mapped[str | None] = mapped_column(String(200))
    billing_phone: Mapped[str | None] = mapped_column(String(40))
    billing_address_line1: Mapped[str | None] = mapped_column(String(200))
    billing_address_line2: Mapped[str | None] = mapped_column(String(200))
    billing_postal_code: Mapped[str | None] = mapped_column(String(20))
    billing_city: Mapped[str | None] = mapped_column(String(100))
    billing_country: Mapped[str | None] = mapped_column(String(2))
    billing_tax_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[utc_created]

    lines: Mapped[list["OrderLine"]] = relationship(
        order_by="OrderLine.position", cascade="all, delete-orphan"
    )

    @property
    def billing(self) -> BillingDetails | None:
        """The buyer's details as submitted, or None on an order without a buyer."""
        if self.billing_email is None:
            return None
        values = {
            field.name: getattr(self, f"billing_{field.name}")
            for field in fields(BillingDetails)
        }
        return BillingDetails(**values)

    @billing.setter
    def billing(self, details: BillingDetails | None) -> None:
        for field in fields(BillingDetails):
            value = getattr(details, field.name) if details else None
            setattr(self, f"billing_{field.name}", value)

    @property
    def items(self) -> list["OrderLine"]:
        return [line for line in self.lines if line.kind is OrderLineKind.ITEM]

    @property
    def fees(self) -> list["OrderLine"]:
        return [line for line in self.lines if line.kind is OrderLineKind.FEE]


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position"),
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
        CheckConstraint("discount >= 0 AND discount <= gross", name="discount"),
        CheckConstraint("tax >= 0", name="tax"),
    )

    id: Mapped[intpk]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    position: Mapped[int]
    kind: Mapped[OrderLineKind] = mapped_column(enum_column(OrderLineKind))
    description: Mapped[str] = mapped_column(String(300))
    price_id: Mapped[int | None] = mapped_column(ForeignKey("prices.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_amount: Mapped[minor_units]  # minor units
    gross: Mapped[minor_units]  # unit_amount x quantity
    discount: Mapped[minor_units] = mapped_column(default=0)
    # The percent a staff invoice's line discount was entered as, kept so the
    # draft can be edited again; None for an amount off or no discount.
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    tax: Mapped[minor_units] = mapped_column(default=0)
    tax_name: Mapped[str | None] = mapped_column(String(100))
    tax_percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[minor_units]  # what this line adds to the order total
    # Extra facts for display, such as the custom field answers on item lines.
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    @property
    def net(self) -> int:
        return self.gross - self.discount
