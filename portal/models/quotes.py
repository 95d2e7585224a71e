"""Quotes that buyers view, sign and pay, with their signers and payment schedule.

A quote is edited freely while it is a draft. Publishing gives it a number and
the SHA-256 digest of its canonical content, and locks it. A later edit makes a
new ``Quote`` row (the next version, same number) that points at the version it
replaces, and that earlier version is voided. Each quote keeps a hash-chained
log of its state changes in ``quote_events``.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models.catalog import Price, TaxRate, enum_column
from portal.models.contacts import Contact
from portal.models.orders import Order
from portal.models.payments import Invoice, Payment
from portal.models.saved_methods import SavedPaymentMethod
from portal.models.staff import Staff
from portal.models.types import (
    currency_code,
    intpk,
    minor_units,
    percent,
    utc_created,
)


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"  # above the threshold, waits for an admin
    PUBLISHED = "published"
    VIEWED = "viewed"  # a buyer opened the hosted page
    SIGNED = "signed"  # every buyer signed, countersignatures are missing
    ACCEPTED = "accepted"  # every required signature is in
    PAID = "paid"  # every instalment is paid
    DECLINED = "declined"
    EXPIRED = "expired"
    VOID = "void"  # replaced by a new version or withdrawn by staff


# Statuses in which the quote's content is locked and has a digest and number.
PUBLISHED_STATUSES = frozenset(
    {
        QuoteStatus.PUBLISHED,
        QuoteStatus.VIEWED,
        QuoteStatus.SIGNED,
        QuoteStatus.ACCEPTED,
        QuoteStatus.PAID,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
    }
)

# Statuses in which a buyer may still sign or decline.
OPEN_STATUSES = frozenset(
    {QuoteStatus.PUBLISHED, QuoteStatus.VIEWED, QuoteStatus.SIGNED}
)


class SignerRole(StrEnum):
    BUYER = "buyer"  # signs on the hosted page through their own link
    COUNTERSIGNER = "countersigner"  # staff, who sign in the back office


class InstalmentDue(StrEnum):
    ON_SIGNATURE = "on_signature"  # paid at acceptance
    DAYS_AFTER = "days_after"  # ``days`` after acceptance
    ON_DATE = "on_date"  # on ``due_on``


class InstalmentStatus(StrEnum):
    PENDING = "pending"  # not yet due
    INVOICED = "invoiced"  # an invoice with a pay link was emailed
    PROCESSING = "processing"  # a bank debit that has not settled yet
    # An off-session charge that the customer's bank holds for authentication.
    REQUIRES_ACTION = "requires_action"
    PAID = "paid"
    FAILED = "failed"  # the charge failed and a retry is scheduled
    UNCOLLECTIBLE = "uncollectible"  # retries ran out


class Quote(Base):
    """One version of a quote: what is offered, to whom, until when, on what terms."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("number", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(version = 1) = (replaces_id IS NULL)", name="replaces_earlier_version"
        ),
        CheckConstraint("length(brand_color) = 7", name="brand_color_hex"),
        CheckConstraint(
            "status IN ('draft', 'pending_approval', 'void')"
            " OR (number IS NOT NULL AND content_digest IS NOT NULL"
            " AND published_at IS NOT NULL)",
            name="published_has_number_and_digest",
        ),
        CheckConstraint(
            "(signed_pdf IS NULL) = (signed_pdf_digest IS NULL)",
            name="signed_pdf_has_digest",
        ),
        CheckConstraint(
            "status <> 'declined' OR declined_at IS NOT NULL", name="declined_at_set"
        ),
        CheckConstraint(
            "status <> 'void' OR voided_at IS NOT NULL", name="voided_at_set"
        ),
    )

    id: Mapped[intpk]
    # Unguessable id in the buyer's URL, /quotes/<token>.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # "Q-000001", from the "quote" document sequence at the first publish and
    # shared by every later version.
    number: Mapped[str | None] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # The version this one replaced. The unique constraint lets a version be
    # replaced only once.
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id"), unique=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[QuoteStatus] = mapped_column(enum_column(QuoteStatus), index=True)
    currency: Mapped[currency_code]
    # The priced one-time lines, discount, fees and taxes. The payment schedule
    # divides its total.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    terms: Mapped[str] = mapped_column(Text, default="")
    cover_text: Mapped[str | None] = mapped_column(Text)
    # Branding, copied from the business when the quote is created.
    logo_url: Mapped[str | None] = mapped_column(String(500))
    brand_color: Mapped[str] = mapped_column(String(7), default="#0a5fff")  # #rrggbb
    # Valid through 23:59:59 of this day in the business's time zone.
    expires_on: Mapped[date] = mapped_column(index=True)
    collect_payment: Mapped[bool] = mapped_column(Boolean, default=True)
    # SHA-256 (hex) of the canonical content, set at publish.
    content_digest: Mapped[str | None] = mapped_column(String(64))
    # Version of the electronic-signature consent text the buyers are shown.
    consent_version: Mapped[str | None] = mapped_column(String(20))
    approved_by: Mapped[str | None] = mapped_column(String(100))  # "staff:3"
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The PDF rendered once after the last signature, and its SHA-256 (hex).
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signed_pdf_digest: Mapped[str | None] = mapped_column(String(64))
    # The buyer's saved payment method, charged for the later instalments.
    saved_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_payment_methods.id")
    )
    # Language of the hosted page, PDF and emails; None means the business's.
    locale: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(100))  # "staff:3"
    # Random key from the staff form, so that a repeated create makes one quote.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[utc_created]
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )

    contact: Mapped[Contact] = relationship()
    order: Mapped[Order] = relationship()
    saved_method: Mapped[SavedPaymentMethod | None] = relationship()
    replaces: Mapped["Quote | None"] = relationship(remote_side="Quote.id")
    recurring_lines: Mapped[list["QuoteRecurringLine"]] = relationship(
        order_by="QuoteRecurringLine.position",
        back_populates="quote",
        cascade="all, delete-orphan",
    )
    signers: Mapped[list["QuoteSigner"]] = relationship(
        order_by="QuoteSigner.position",
        back_populates="quote",
        cascade="all, delete-orphan",
    )
    instalments: Mapped[list["QuoteInstalment"]] = relationship(
        order_by="QuoteInstalment.position",
        back_populates="quote",
        cascade="all, delete-orphan",
    )

    @property
    def is_locked(self) -> bool:
        """True once published: the content may then only change in a new version."""
        return self.status in PUBLISHED_STATUSES

    @property
    def display_number(self) -> str | None:
        """The number with the version after the first, such as "Q-000001 v2"."""
        if self.number is None:
            return None
        if self.version == 1:
            return self.number
        return f"{self.number} v{self.version}"

    @property
    def buyers(self) -> list["QuoteSigner"]:
        return [s for s in self.signers if s.role == SignerRole.BUYER]

    @property
    def countersigners(self) -> list["QuoteSigner"]:
        return [s for s in self.signers if s.role == SignerRole.COUNTERSIGNER]


class QuoteRecurringLine(Base):
    """A recurring price on a quote, started as a subscription after acceptance."""

    __tablename__ = "quote_recurring_lines"
    __table_args__ = (
        UniqueConstraint("quote_id", "position"),
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint("unit_amount >= 0", name="unit_amount"),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    position: Mapped[int]
    price_id: Mapped[int] = mapped_column(ForeignKey("prices.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(default=1)
    unit_amount: Mapped[minor_units]  # minor units, per billing period
    tax_rate_id: Mapped[int | None] = mapped_column(ForeignKey("tax_rates.id"))
    started_subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id")
    )

    quote: Mapped[Quote] = relationship(back_populates="recurring_lines")
    price: Mapped[Price] = relationship()
    tax_rate: Mapped[TaxRate | None] = relationship()


class QuoteSigner(Base):
    """A buyer or countersigner of a quote, and the evidence of their signature."""

    __tablename__ = "quote_signers"
    __table_args__ = (
        UniqueConstraint("quote_id", "position"),
        CheckConstraint(
            "role IN ('buyer', 'countersigner')", name="role_buyer_or_countersigner"
        ),
        CheckConstraint(
            "role = 'buyer' OR staff_id IS NOT NULL", name="countersigner_is_staff"
        ),
        CheckConstraint(
            "(role = 'buyer') = (token IS NOT NULL)", name="buyer_has_token"
        ),
        CheckConstraint(
            "signed_at IS NULL OR declined_at IS NULL", name="signed_or_declined"
        ),
        CheckConstraint(
            "signed_at IS NULL OR (typed_name IS NOT NULL"
            " AND length(trim(typed_name)) > 0 AND signed_digest IS NOT NULL)",
            name="signature_has_name_and_digest",
        ),
        CheckConstraint(
            "signed_at IS NULL OR role <> 'buyer'"
            " OR (terms_shown_at IS NOT NULL AND consent_version IS NOT NULL)",
            name="buyer_saw_terms_and_consented",
        ),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    position: Mapped[int]  # signing order, buyers before countersigners
    role: Mapped[SignerRole] = mapped_column(enum_column(SignerRole))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Each buyer's own link to the hosted page; None for countersigners.
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    typed_name: Mapped[str | None] = mapped_column(String(200))
    drawn_signature: Mapped[str | None] = mapped_column(Text)  # data: URL of a PNG
    signed_digest: Mapped[str | None] = mapped_column(String(64))  # content signed
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # When the hosted page showed this signer the whole quote and its terms.
    terms_shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quote: Mapped[Quote] = relationship(back_populates="signers")
    staff: Mapped[Staff | None] = relationship()


class QuoteInstalment(Base):
    """One part of a quote's one-time total, with when and how it is collected.

    Exactly one of ``percent`` and ``fixed_amount`` says how the part was
    entered; ``amount`` is what it comes to, in minor units.
    """

    __tablename__ = "quote_instalments"
    __table_args__ = (
        UniqueConstraint("quote_id", "position"),
        CheckConstraint(
            "(percent IS NULL) <> (fixed_amount IS NULL)", name="percent_or_amount"
        ),
        CheckConstraint(
            "percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent_range"
        ),
        CheckConstraint(
            "fixed_amount IS NULL OR fixed_amount > 0", name="fixed_amount_positive"
        ),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "due IN ('on_signature', 'days_after', 'on_date')", name="due_kind"
        ),
        CheckConstraint(
            "(due = 'days_after') = (days IS NOT NULL)", name="days_after_has_days"
        ),
        CheckConstraint("days IS NULL OR days >= 0", name="days_not_negative"),
        CheckConstraint(
            "due <> 'on_date' OR due_on IS NOT NULL", name="on_date_has_date"
        ),
        Index("ix_quote_instalments_status_due_on", "status", "due_on"),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    position: Mapped[int]
    percent: Mapped[percent | None]  # 33.3400 for 33.34 % of the one-time total
    fixed_amount: Mapped[minor_units | None]  # minor units as entered
    due: Mapped[InstalmentDue] = mapped_column(enum_column(InstalmentDue))
    days: Mapped[int | None]  # days after acceptance, for "days_after"
    # The due date: fixed for "on_date", set at acceptance for the others.
    due_on: Mapped[date | None]
    amount: Mapped[minor_units]  # minor units to collect
    status: Mapped[InstalmentStatus] = mapped_column(
        enum_column(InstalmentStatus), default=InstalmentStatus.PENDING
    )
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    attempts: Mapped[int] = mapped_column(default=0)  # charges tried
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    quote: Mapped[Quote] = relationship(back_populates="instalments")
    invoice: Mapped[Invoice | None] = relationship()
    payment: Mapped[Payment | None] = relationship()


class QuoteEvent(Base):
    """One row of a quote's audit log, chained to the row before it by digest.

    ``digest`` is the SHA-256 (hex) of ``prev_digest`` followed by the
    canonical JSON of this row's other fields, and ``prev_digest`` of the first
    row is 64 zeros; ``portal.quotes.evidence`` writes and checks the chain.
    """

    __tablename__ = "quote_events"
    __table_args__ = (
        UniqueConstraint("quote_id", "seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    seq: Mapped[int]  # 1, 2, 3 ... within the quote
    action: Mapped[str] = mapped_column(String(60))  # "published", "signed"
    actor: Mapped[str] = mapped_column(String(100))  # "staff:3", "signer:5", "system"
    client_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[utc_created]
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
