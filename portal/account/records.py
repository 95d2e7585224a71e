"""The signed-in customer's own records, each looked up through the customer.

Every loader filters by the contact's id, so a token or id of another
customer's record finds nothing and the view answers 404.
"""

from datetime import datetime

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Contact,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    Quote,
    QuoteSigner,
    SignerRole,
    Subscription,
)
from portal.models.quotes import OPEN_STATUSES
from portal.quotes.signing import closed_reason

# Payments the customer has a receipt for: taken, or a bank debit settling.
RECEIPT_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)
# Invoices the customer can still pay. Uncollectible is the merchant's own
# bookkeeping, and the invoice page still takes a payment of such an invoice.
PAYABLE_INVOICE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)
MAX_LISTED = 100


def open_invoices(session: Session, contact: Contact) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.contact_id == contact.id,
                Invoice.status.in_(PAYABLE_INVOICE_STATUSES),
            )
            .order_by(Invoice.due_date, Invoice.id)
            .limit(MAX_LISTED)
        )
    )


def payments(session: Session, contact: Contact) -> list[Payment]:
    """Return the customer's payments with a receipt, newest first."""
    return list(
        session.scalars(
            select(Payment)
            .where(
                Payment.contact_id == contact.id,
                Payment.status.in_(RECEIPT_STATUSES),
            )
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(MAX_LISTED)
        )
    )


def subscriptions(session: Session, contact: Contact) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription)
            .where(Subscription.contact_id == contact.id)
            .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        )
    )


def quotes_to_sign(
    session: Session, contact: Contact, now: datetime, timezone: str
) -> list[tuple[Quote, QuoteSigner]]:
    """Return open quotes that still wait for the customer's own signature.

    The customer is matched to a buyer signer by email address, an inbox the
    sign-in link proved they control. Each quote comes with that signer,
    soonest expiry first.
    """
    rows = session.execute(
        select(Quote, QuoteSigner)
        .join(QuoteSigner, QuoteSigner.quote_id == Quote.id)
        .where(
            Quote.status.in_(OPEN_STATUSES),
            QuoteSigner.role == SignerRole.BUYER,
            func.lower(QuoteSigner.email) == contact.email.lower(),
            QuoteSigner.signed_at.is_(None),
            QuoteSigner.declined_at.is_(None),
        )
        .order_by(Quote.expires_on, Quote.id)
        .limit(MAX_LISTED)
    ).all()
    return [
        (quote, signer)
        for quote, signer in rows
        if closed_reason(quote, now, timezone) is None
    ]


def payment_or_404(session: Session, contact: Contact, token: str) -> Payment:
    payment = session.scalars(
        select(Payment).where(
            Payment.token == token,
            Payment.contact_id == contact.id,
            Payment.status.in_(RECEIPT_STATUSES),
        )
    ).first()
    if payment is None:
        abort(404)
    return payment


def subscription_or_404(
    session: Session, contact: Contact, token: str, *, lock: bool = False
) -> Subscription:
    """Return the customer's subscription of ``token``, locked for update if asked."""
    statement = select(Subscription).where(
        Subscription.token == token, Subscription.contact_id == contact.id
    )
    if lock:
        statement = statement.with_for_update()
    subscription = session.scalars(statement).first()
    if subscription is None:
        abort(404)
    return subscription
