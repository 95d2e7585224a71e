"""Subscriptions: what a customer pays for again and again, and each billed period.

Billing dates are counted from ``anchor_date``: period n is billed on the
anchor plus n intervals (see ``portal.billing.schedule``). A period row is
written once per index, and the unique constraint on (subscription, index) is
what keeps two billing runs from billing the same period twice.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models.catalog import (
    BillingFrequency,
    Discount,
    Price,
    TaxRate,
    enum_column,
)
from portal.models.contacts import Contact
from portal.models.invoices import NetTerms
from portal.models.orders import Order
from portal.models.payment_links import PaymentLink
from portal.models.payments import Invoice, Payment
from portal.models.saved_methods import SavedPaymentMethod
from portal.models.types import currency_code, intpk, minor_units, utc_created


class SubscriptionStatus(StrEnum):
    SCHEDULED = "scheduled"  # starts on its start date
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a renewal failed and a retry is scheduled
    PAUSED = "paused"
    UNPAID = "unpaid"  # retries ran out; kept, but billed no more
    CANCELED = "canceled"


# Statuses in which a subscription is still billed on its billing dates.
RENEWING_STATUSES = frozenset(
    {
        SubscriptionStatus.SCHEDULED,
        SubscriptionStatus.TRIALING,
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.PAST_DUE,
    }
)


class CollectionMethod(StrEnum):
    AUTOMATIC = "automatic"  # the saved payment method is charged
    INVOICE = "invoice"  # an invoice with net terms is emailed


class PeriodStatus(StrEnum):
    OPEN = "open"  # invoiced, waiting for the customer to pay
    PROCESSING = "processing"  # a bank debit that has not settled yet
    REQUIRES_ACTION = "requires_action"  # the customer must authenticate the charge
    FAILED = "failed"  # the charge failed and a retry is scheduled
    PAID = "paid"
    UNCOLLECTIBLE = "uncollectible"  # retries ran out
    VOID = "void"


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("next_period >= 0", name="next_period_not_negative"),
        CheckConstraint("credit_balance >= 0", name="credit_balance_not_negative"),
        CheckConstraint("anchor_date >= start_date", name="anchor_not_before_start"),
        CheckConstraint(
            "trial_end IS NULL OR trial_end = anchor_date", name="trial_ends_at_anchor"
        ),
        CheckConstraint(
            "collection = 'automatic' OR net_terms IS NOT NULL",
            name="invoice_collection_has_terms",
        ),
    )

    id: Mapped[intpk]
    # Unguessable id for the customer's account pages and emailed links.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    status: Mapped[SubscriptionStatus] = mapped_column(enum_column(SubscriptionStatus))
    collection: Mapped[CollectionMethod] = mapped_column(enum_column(CollectionMethod))
    currency: Mapped[currency_code]
    frequency: Mapped[BillingFrequency] = mapped_column(enum_column(BillingFrequency))
    # Dates in the business's time zone. The service starts on start_date; the
    # first billing date is the anchor, which is the trial's end when there is one.
    start_date: Mapped[date]
    trial_end: Mapped[date | None]
    anchor_date: Mapped[date]
    next_period: Mapped[int] = mapped_column(default=0)  # index of the next bill
    # The billing date of next_period while the subscription renews, else None.
    next_billing_date: Mapped[date | None] = mapped_column(index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    saved_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_payment_methods.id")
    )
    net_terms: Mapped[NetTerms | None] = mapped_column(enum_column(NetTerms))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("payment_links.id"))
    discount_id: Mapped[int | None] = mapped_column(ForeignKey("discounts.id"))
    # Minor units owed to the customer, such as after a downgrade; later bills
    # use it up before anything is charged.
    credit_balance: Mapped[minor_units] = mapped_column(default=0)
    # The test clock: the subscription's own "now" in test mode, so that staff
    # can watch renewals happen. None follows the real time.
    clock_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The index of the period whose renewal reminder was sent.
    reminded_period: Mapped[int | None]
    locale: Mapped[str] = mapped_column(String(16), default="en")
    created_by: Mapped[str] = mapped_column(String(100))  # "buyer", "staff:3"
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[utc_created]
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )

    contact: Mapped[Contact] = relationship()
    items: Mapped[list["SubscriptionItem"]] = relationship(
        order_by="SubscriptionItem.position", cascade="all, delete-orphan"
    )
    periods: Mapped[list["SubscriptionPeriod"]] = relationship(
        order_by="SubscriptionPeriod.index",
        back_populates="subscription",
        cascade="all, delete-orphan",
    )
    saved_method: Mapped[SavedPaymentMethod | None] = relationship()
    link: Mapped[PaymentLink | None] = relationship()
    discount: Mapped[Discount | None] = relationship()

    @property
    def renews(self) -> bool:
        """True while the subscription is billed on its billing dates."""
        return self.status in RENEWING_STATUSES and not self.cancel_at_period_end


# The largest quantity of one subscription item, for new subscriptions and
# for changes alike.
MAX_ITEM_QUANTITY = 9999


class SubscriptionItem(Base):
    __tablename__ = "subscription_items"
    __table_args__ = (
        UniqueConstraint("subscription_id", "position"),
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
    )

    id: Mapped[intpk]
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    position: Mapped[int]
    price_id: Mapped[int] = mapped_column(ForeignKey("prices.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_amount: Mapped[minor_units]  # minor units, per period
    tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))

    price: Mapped[Price] = relationship()
    tax_rate: Mapped[TaxRate | None] = relationship()


class SubscriptionPeriod(Base):
    """One billed period: what it cost and how it was collected."""

    __tablename__ = "subscription_periods"
    __table_args__ = (
        UniqueConstraint("subscription_id", "index"),
        CheckConstraint('"index" >= 0', name="index_not_negative"),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("credit_applied >= 0", name="credit_applied_not_negative"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[intpk]
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    index: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]  # the next billing date, not part of the period
    status: Mapped[PeriodStatus] = mapped_column(enum_column(PeriodStatus))
    currency: Mapped[currency_code]
    amount: Mapped[minor_units]  # minor units to collect, after credit
    credit_applied: Mapped[minor_units] = mapped_column(default=0)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    attempts: Mapped[int] = mapped_column(default=0)  # charges tried
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[utc_created]

    subscription: Mapped[Subscription] = relationship(back_populates="periods")
    order: Mapped[Order] = relationship()
    payment: Mapped[Payment | None] = relationship()
    invoice: Mapped[Invoice | None] = relationship()
