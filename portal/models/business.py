from sqlalchemy import JSON, Boolean, CheckConstraint, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base
from portal.models.types import currency_code, intpk, minor_units, utc_created


class Business(Base):
    """The merchant that runs this Kassa; one row per installation."""

    __tablename__ = "businesses"
    __table_args__ = (
        CheckConstraint("length(brand_color) = 7", name="brand_color_hex"),
        CheckConstraint(
            "subscription_after_retries IN ('canceled', 'unpaid')",
            name="subscription_after_retries",
        ),
        CheckConstraint(
            "renewal_reminder_days >= 0 AND renewal_reminder_days <= 365",
            name="renewal_reminder_days",
        ),
        CheckConstraint(
            "quote_approval_threshold IS NULL OR quote_approval_threshold >= 0",
            name="quote_approval_threshold_not_negative",
        ),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))  # receives sale notifications
    # Path under static/ or an absolute http(s) URL of the logo image.
    logo_url: Mapped[str | None] = mapped_column(String(500))
    brand_color: Mapped[str] = mapped_column(String(7), default="#0a5fff")  # #rrggbb
    currency: Mapped[currency_code]
    # Other ISO 4217 codes that payment links and invoices may use; the business
    # currency is accepted whether or not it is listed.
    accepted_currencies: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    address: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(64))
    # Receipts: a footer text, and which optional facts the receipt page, PDF
    # and email show. The logo and brand colour above apply to them too.
    receipt_footer: Mapped[str | None] = mapped_column(Text)
    receipt_show_business_address: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    receipt_show_tax_id: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    receipt_show_payment_method: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    receipt_show_custom_fields: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    receipt_show_buyer_phone: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    receipt_show_buyer_address: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Subscriptions: days after a failed renewal on which the charge is tried
    # again, what happens when those retries fail ("canceled" or "unpaid"), and
    # how many days before a yearly or longer renewal the customer is reminded.
    subscription_retry_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: [1, 3, 5, 7], server_default="[1, 3, 5, 7]"
    )
    subscription_after_retries: Mapped[str] = mapped_column(
        String(20), default="canceled", server_default="canceled"
    )
    renewal_reminder_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # What the customer account area shows and allows.
    account_shows_invoices: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_shows_payments: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_shows_subscriptions: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_allows_cancel: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_allows_method_update: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_allows_billing_details: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    account_shows_quotes: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    # Quotes whose one-time total is above this many minor units of the
    # business currency need an owner's or admin's approval before they are
    # published; None approves every quote.
    quote_approval_threshold: Mapped[minor_units | None]
    created_at: Mapped[utc_created]

    @property
    def currencies(self) -> list[str]:
        """Every accepted currency code, the business currency first."""
        others = [code for code in self.accepted_currencies if code != self.currency]
        return [self.currency, *others]


class DocumentSequence(Base):
    """The next number of a numbered document series such as invoices."""

    __tablename__ = "document_sequences"
    __table_args__ = (CheckConstraint("next_value >= 1", name="next_value_positive"),)

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))
    next_value: Mapped[int] = mapped_column(default=1)
    width: Mapped[int] = mapped_column(default=6)  # digits, zero-padded
