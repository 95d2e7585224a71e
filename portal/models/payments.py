from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.contacts import Contact
from portal.models.invoices import InvoiceReminder, ManualPayment, NetTerms
from portal.models.orders import Order
from portal.models.payment_links import PaymentLink
from portal.models.refunds import Refund, RefundStatus
from portal.models.types import currency_code, intpk, minor_units, utc_created


class PaymentStatus(StrEnum):
    """States of a payment, named as in Stripe's PaymentIntent lifecycle."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class PaymentMethodKind(StrEnum):
    CARD = "card"
    BANK_DEBIT = "bank_debit"
    NONE = "none"  # an order whose total is zero


class AttemptState(StrEnum):
    IN_PROGRESS = "in_progress"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class CheckoutAttempt(Base):
    """One submit of a checkout form, keyed so that a repeated submit is recognised.

    The key comes from the signed token in the form; its unique constraint is
    what lets a double click, a resubmit after Back or a second tab end in one
    payment.
    """

    __tablename__ = "checkout_attempts"
    __table_args__ = (
        CheckConstraint(
            "(link_id IS NULL) <> (invoice_id IS NULL)", name="link_or_invoice"
        ),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # What is paid: a payment link or a sent invoice, exactly one of the two.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("payment_links.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    state: Mapped[AttemptState] = mapped_column(
        enum_column(AttemptState), default=AttemptState.IN_PROGRESS
    )
    # What the buyer typed, without any card or bank account details.
    form_data: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    error_message: Mapped[str | None] = mapped_column(Text)
    client_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[utc_created]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    link: Mapped[PaymentLink | None] = relationship()
    invoice: Mapped["Invoice | None"] = relationship(foreign_keys=[invoice_id])
    payment: Mapped["Payment | None"] = relationship(foreign_keys=[payment_id])


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(
            "card_last4 IS NULL OR length(card_last4) = 4", name="card_last4"
        ),
    )

    id: Mapped[intpk]
    # Unguessable id for the public receipt URL.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("payment_links.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    currency: Mapped[currency_code]
    amount: Mapped[minor_units]  # minor units charged
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus))
    method: Mapped[PaymentMethodKind] = mapped_column(enum_column(PaymentMethodKind))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    bank_last4: Mapped[str | None] = mapped_column(String(4))
    processor: Mapped[str] = mapped_column(String(20))  # "test" or "stripe"
    processor_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    created_at: Mapped[utc_created]
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    link: Mapped[PaymentLink | None] = relationship()
    contact: Mapped[Contact] = relationship()
    order: Mapped[Order] = relationship()
    invoice: Mapped["Invoice | None"] = relationship(back_populates="payment")
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="payment", order_by="Refund.id"
    )

    @property
    def failed(self) -> bool:
        """True once the payment was declined, failed to settle or was canceled."""
        return self.status in (
            PaymentStatus.REQUIRES_PAYMENT_METHOD,
            PaymentStatus.CANCELED,
        )

    @property
    def refunded_amount(self) -> int:
        """Minor units of the refunds that succeeded, summed from the refund rows."""
        return sum(
            refund.amount
            for refund in self.refunds
            if refund.status is RefundStatus.SUCCEEDED
        )

    @property
    def refundable_amount(self) -> int:
        """Minor units that can still be refunded; zero unless the payment succeeded.

        Pending refunds count against it as well as succeeded ones.
        """
        if self.status is not PaymentStatus.SUCCEEDED:
            return 0
        held = sum(refund.amount for refund in self.refunds if refund.counted)
        return max(self.amount - held, 0)

    @property
    def refund_state(self) -> str | None:
        """Refund state: "refunded", "partially_refunded" or None without refunds."""
        refunded = self.refunded_amount
        if refunded == 0:
            return None
        return "refunded" if refunded >= self.amount else "partially_refunded"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class Invoice(Base):
    """A numbered bill: written paid for a payment link, or issued by staff.

    A staff invoice starts as a draft, gets its number when it is sent, and
    is paid through its hosted page or marked paid by staff. An invoice
    written for a paid payment link has no terms and no due date.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
    )

    id: Mapped[intpk]
    number: Mapped[str | None] = mapped_column(String(32), unique=True)  # INV-000123
    token: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("payment_links.id"))
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id"), unique=True
    )
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus))
    currency: Mapped[currency_code]
    total: Mapped[minor_units]  # minor units
    net_terms: Mapped[NetTerms | None] = mapped_column(enum_column(NetTerms))
    issue_date: Mapped[date | None]
    # The last day to pay; overdue from the next midnight in the business's zone.
    due_date: Mapped[date | None]
    memo: Mapped[str | None] = mapped_column(Text)  # shown above the lines
    footer: Mapped[str | None] = mapped_column(Text)  # shown at the bottom
    # Language of the buyer's emails and PDF; None means the business's.
    locale: Mapped[str | None] = mapped_column(String(16))
    # Random key from the staff form, so that a repeated create makes one draft.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uncollectible_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[utc_created]

    order: Mapped[Order] = relationship()
    contact: Mapped[Contact] = relationship()
    payment: Mapped[Payment | None] = relationship(back_populates="invoice")
    manual_payment: Mapped[ManualPayment | None] = relationship(
        cascade="all, delete-orphan"
    )
    reminders: Mapped[list[InvoiceReminder]] = relationship(
        order_by=InvoiceReminder.offset_days, cascade="all, delete-orphan"
    )

    @property
    def amount_due(self) -> int:
        """Minor units still to pay: the total while open or uncollectible."""
        if self.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE):
            return self.total
        return 0


class AuditEvent(Base):
    """A state change of money: who did what to which record, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[intpk]
    created_at: Mapped[utc_created]
    subject_type: Mapped[str] = mapped_column(String(40))  # "payment", "invoice"
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))  # "buyer", "system", "staff:3"
    client_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
